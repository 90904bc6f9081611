"""`credit train --class-weight` and the oversampling row limit, on real sqlite stores."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import credit
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
FAST = ["--cv-folds", "2", "--cv-repeats", "1"]


def _params(store: Path, run_id: str) -> dict[str, str]:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{store / 'mlflow.db'}")
    return dict(client.get_run(run_id).data.params)


def _bad_share(frame: pd.DataFrame) -> float:
    """n_negative / n_positive of the training part `credit train` fits (seed 42, 30 % out)."""
    from credit_mlops.data.split import split_holdout
    from credit_mlops.modeling.build import target_bad

    holdout = split_holdout(frame["kredit"], test_size=0.3, seed=42)
    bad = target_bad(frame["kredit"].iloc[list(holdout.train_rows)])
    return float((bad == 0).sum() / (bad == 1).sum())


def test_class_weight_is_logged_with_each_models_own_weight(
    store: Path, synthetic_file: Path, synthetic_frame: pd.DataFrame
) -> None:
    args = ["train", "--data", str(synthetic_file), *FAST, "--json", "--no-register"]
    models = "logistic_regression,xgboost,scorecard"
    result = runner.invoke(app, [*args, "-m", models, "--class-weight", "--no-smote"])
    assert result.exit_code == 0, result.output
    runs = {r["key"]: r["run_id"] for r in json.loads(result.stdout)["results"]}
    lr, xgb, card = (_params(store, runs[k]) for k in models.split(","))
    assert lr["class_weight"] == "True" and lr["model__class_weight"] == "balanced"
    assert lr["smote__used"] == "False"
    assert xgb["class_weight"] == "True"
    assert float(xgb["model__scale_pos_weight"]) == pytest.approx(_bad_share(synthetic_frame))
    assert float(xgb["model__scale_pos_weight"]) > 1.0  # fewer bad credits than good ones
    # the scorecard's points are calibrated log-odds: class weights leave it alone
    assert card["class_weight"] == "False"
    assert not any(k.endswith("class_weight") for k in card if k.startswith("model__"))

    plain = runner.invoke(app, [*args, "-m", "logistic_regression,xgboost", "--no-smote"])
    assert plain.exit_code == 0, plain.output
    base = {r["key"]: r for r in json.loads(plain.stdout)["results"]}
    lr0, xgb0 = (_params(store, base[k]["run_id"]) for k in ("logistic_regression", "xgboost"))
    assert lr0["class_weight"] == "False" and lr0["model__class_weight"] == "None"
    assert xgb0["model__scale_pos_weight"] == "None"
    weighted = {r["key"]: r for r in json.loads(result.stdout)["results"]}
    assert (
        weighted["xgboost"]["metrics"]["recall_test_mean"]
        != base["xgboost"]["metrics"]["recall_test_mean"]
    )


def test_ensemble_members_inherit_class_weights(store: Path, synthetic_file: Path) -> None:
    args = ["train", "--data", str(synthetic_file), *FAST, "--json", "--no-register"]
    result = runner.invoke(app, [*args, "-m", "ensemble", "--class-weight", "--no-smote"])
    assert result.exit_code == 0, result.output
    params = _params(store, json.loads(result.stdout)["results"][0]["run_id"])
    assert params["model__logistic_regression__class_weight"] == "balanced"
    assert params["model__random_forest__class_weight"] == "balanced"
    assert float(params["model__xgboost__scale_pos_weight"]) > 1.0


def test_class_weight_with_oversampling_is_refused(project: Path, synthetic_file: Path) -> None:
    args = ["train", "--data", str(synthetic_file), "-m", "logistic_regression", *FAST]
    result = runner.invoke(app, [*args, "--class-weight"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "--no-smote" in lines[0] and "train.class_weight = false" in lines[0]
    assert not (project / ".credit").exists()


def test_oversampling_above_the_row_limit_is_refused_with_the_estimate(
    store: Path, synthetic_file: Path
) -> None:
    """The real script, the limit from the environment: 280 training rows over 200."""
    from mlflow import MlflowClient

    env = {"CREDIT_TRAIN__SMOTE_MAX_ROWS": "200"}
    args = ["train", "--data", str(synthetic_file), "-m", "xgboost", *FAST, "--json"]
    result = credit(args, store.parent, env)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: BorderlineSMOTE on 280 training rows")
    for part in ("train.smote_max_rows = 200", "estimated", "--class-weight", "--no-smote"):
        assert part in lines[0], part
    assert "Traceback" not in result.stderr and result.stdout == ""
    client = MlflowClient(tracking_uri=f"sqlite:///{store / 'mlflow.db'}")
    assert client.search_runs([e.experiment_id for e in client.search_experiments()]) == []

    # the class-weighted path has no such limit; nor has the scorecard (it never oversamples)
    ok = credit([*args, "--class-weight", "--no-smote"], store.parent, env)
    assert ok.returncode == 0, ok.stderr
    scorecard = ["train", "--data", str(synthetic_file), "-m", "scorecard", *FAST]
    assert credit(scorecard, store.parent, env).returncode == 0
