"""The exact RBF SVM's row limit and `--svm-approx`, on real sqlite stores (issue 12, part 3).

A small limit through the environment (CREDIT_TRAIN__SVM_MAX_ROWS) puts the 280 training
rows of the synthetic file above it, so the refusal and the skip run in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from tests.conftest import credit, tracking_uri
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.data import schema

runner = CliRunner()
FAST = ["--cv-folds", "2", "--cv-repeats", "1"]
LIMIT = {"CREDIT_TRAIN__SVM_MAX_ROWS": "100"}  # the synthetic file trains on 280 rows


def runs_in(store: Path) -> list[object]:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri(store))
    ids = [e.experiment_id for e in client.search_experiments()]
    return list(client.search_runs(ids)) if ids else []


def test_svm_above_the_limit_is_refused_in_one_line(store: Path, synthetic_file: Path) -> None:
    args = ["train", "--data", str(synthetic_file), "-m", "svm", *FAST]
    result = runner.invoke(app, args, env=LIMIT)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: svm on 280 training rows"), lines
    line = lines[0]
    assert "train.svm_max_rows = 100" in line
    assert "one CV fit of the exact RBF SVM would take about " in line
    assert "--svm-approx" in line and "subsample" in line
    assert "Traceback" not in result.output
    assert runs_in(store) == []  # refused before any run was created


def test_refusal_in_a_subprocess_and_the_limit_as_a_profile_setting(
    store: Path, synthetic_file: Path
) -> None:
    profile = store.parent / "configs" / "local.toml"
    text = profile.read_text()
    profile.write_text(text.replace("[train]\n", "[train]\nsvm_max_rows = 279\n", 1))
    args = ["train", "--data", str(synthetic_file), "-m", "svm", *FAST, "--json"]
    result = credit(args, store.parent)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "train.svm_max_rows = 279" in result.stderr
    assert runs_in(store) == []
    # at the limit itself the exact SVM trains
    profile.write_text(profile.read_text().replace("svm_max_rows = 279", "svm_max_rows = 280"))
    result = credit([*args, "--mlflow-disable"], store.parent)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["notes"] == []


def test_all_skips_svm_with_a_note_and_trains_the_rest(store: Path, synthetic_file: Path) -> None:
    args = ["train", "--data", str(synthetic_file), "-m", "all", *FAST, "--json", "--no-register"]
    result = runner.invoke(app, args, env=LIMIT)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    keys = [r["key"] for r in report["results"]]
    assert keys == ["logistic_regression", "decision_tree", "random_forest", "xgboost"]
    assert len(report["notes"]) == 1 and report["notes"][0].startswith("svm skipped: 280")
    assert "note: svm skipped: 280 training rows" in result.stderr
    assert "--svm-approx" in result.stderr
    logged = runs_in(store)
    assert len(logged) == 4
    assert "svm" not in {r.data.params["model_key"] for r in logged}  # type: ignore[attr-defined]


def test_svm_approx_trains_logs_its_params_and_predicts(
    store: Path, synthetic_file: Path, synthetic_frame: pd.DataFrame, tmp_path: Path
) -> None:
    args = ["train", "--data", str(synthetic_file), "-m", "svm", "--svm-approx", *FAST, "--json"]
    result = runner.invoke(app, args, env=LIMIT)  # no limit for the approximation
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["notes"] == []
    assert 0.5 < report["results"][0]["metrics"]["roc_auc_test_mean"] <= 1.0
    [run] = runs_in(store)
    params, tags = run.data.params, run.data.tags  # type: ignore[attr-defined]
    assert params["svm__variant"] == "nystroem+linear_svm"
    assert tags["svm_variant"] == "nystroem+linear_svm"
    assert params["model__estimator__nystroem__n_components"] == "100"
    assert params["model__estimator__nystroem__random_state"] == "42"
    assert params["model__estimator__linear_svm__C"] == "1.0"
    assert params["model__method"] == "sigmoid"
    assert "model__estimator__kernel" not in params  # the exact SVC's params are not there
    applicants = tmp_path / "applicants.csv"
    synthetic_frame[list(schema.FEATURES)].head(50).to_csv(applicants, index=False)
    scored = tmp_path / "scored.csv"
    out = runner.invoke(app, ["predict", "svm", "-i", str(applicants), "-o", str(scored)])
    assert out.exit_code == 0, out.output
    frame = pd.read_csv(scored)
    assert len(frame) == 50
    assert frame["p_bad"].between(0, 1).all() and frame["p_bad"].nunique() > 1


def test_exact_svm_run_says_so(store: Path, synthetic_file: Path) -> None:
    args = ["train", "--data", str(synthetic_file), "-m", "svm", *FAST, "--no-register"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    [run] = runs_in(store)
    assert run.data.params["svm__variant"] == "exact_rbf"  # type: ignore[attr-defined]
    assert run.data.params["model__estimator__kernel"] == "rbf"  # type: ignore[attr-defined]


def test_svm_approx_takes_class_weights_on_its_linear_svm(
    store: Path, synthetic_file: Path
) -> None:
    args = ["train", "--data", str(synthetic_file), "-m", "svm", "--svm-approx", *FAST]
    result = runner.invoke(app, [*args, "--class-weight", "--no-smote", "--no-register"])
    assert result.exit_code == 0, result.output
    [run] = runs_in(store)
    params = run.data.params  # type: ignore[attr-defined]
    assert params["model__estimator__linear_svm__class_weight"] == "balanced"
    assert params["smote__used"] == "False"
