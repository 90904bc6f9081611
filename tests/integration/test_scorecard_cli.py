"""`--model scorecard` end to end on a real MLflow store: trained, logged with its table and
fold histories, registered, shown by `credit scorecard`, scored with points by `credit predict`."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.conftest import project_with_store
from typer.testing import CliRunner, Result

from credit_mlops.cli.main import app
from credit_mlops.data import random_rows, tables

pytestmark = pytest.mark.integration
runner = CliRunner()


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.uri = f"sqlite:///{root / '.credit' / 'mlflow.db'}"

    def invoke(self, *args: str, env: dict[str, str] | None = None) -> Result:
        old = Path.cwd()
        os.chdir(self.root)
        clean: dict[str, str | None] = {
            k: None for k in os.environ if k.startswith(("CREDIT_", "MLFLOW_"))
        }
        clean.update({"COLUMNS": "160", **(env or {})})
        try:
            return runner.invoke(app, list(args), env=clean)
        finally:
            os.chdir(old)

    def client(self) -> Any:
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)


@pytest.fixture(scope="module")
def proj(tmp_path_factory: pytest.TempPathFactory, store_template: Path) -> Iterator[Project]:
    root = project_with_store(tmp_path_factory.mktemp("scorecard"), store_template)
    tables.write_table(random_rows.synthetic(500, seed=11), root / "data.asc")
    project = Project(root)
    result = project.invoke(
        "train",
        "--data",
        str(root / "data.asc"),
        "--model",
        "scorecard,logistic_regression",
        "--cv-folds",
        "3",
        "--cv-repeats",
        "1",
        "--json",
    )
    assert result.exit_code == 0, result.output
    yield project


def _run(proj: Project, model: str) -> Any:
    runs = proj.client().search_runs(
        [proj.client().get_experiment_by_name("credit-risk").experiment_id],
        filter_string=f"tags.model_name = '{model}'",
    )
    assert len(runs) == 1
    return runs[0]


def test_train_logs_the_scorecard_with_its_table_and_fold_histories(proj: Project) -> None:
    run = _run(proj, "scorecard")
    params = run.data.params
    assert params["model__pdo"] == "20.0" and params["model__base_score"] == "600.0"
    assert params["model__base_odds"] == "50.0" and params["model__monotonic_trend"] == "auto"
    assert params["smote__used"] == "False" and "smote__method" not in params
    history = proj.client().get_metric_history(run.info.run_id, "roc_auc_test")
    assert sorted(m.step for m in history) == [0, 1, 2]
    values = [m.value for m in sorted(history, key=lambda m: m.step)]
    assert np.mean(values) == pytest.approx(run.data.metrics["roc_auc_test_mean"])
    path = proj.client().download_artifacts(run.info.run_id, "results/scorecard.json")
    table = json.loads(Path(path).read_text())
    assert {c["name"] for c in table["characteristics"]} == set(
        random_rows.synthetic(5).columns[:-1]
    )
    assert [c["iv"] for c in table["characteristics"]] == sorted(
        (c["iv"] for c in table["characteristics"]), reverse=True
    )
    assert proj.client().get_model_version("scorecard", "1").run_id == run.info.run_id


def test_scorecard_command_formats(proj: Project) -> None:
    shown = proj.invoke("scorecard", "scorecard")
    assert shown.exit_code == 0, shown.output
    assert "Scorecard of scorecard v1" in shown.stdout and "laufkont" in shown.stdout
    assert "600 points at 50:1 good:bad odds" in shown.stdout
    report = json.loads(proj.invoke("scorecard", "scorecard", "--format", "json").stdout)
    run = _run(proj, "scorecard")
    logged = json.loads(
        Path(
            proj.client().download_artifacts(run.info.run_id, "results/scorecard.json")
        ).read_text()
    )
    assert report["characteristics"] == logged["characteristics"]  # the logged table
    assert report["model"] == "scorecard v1" and report["uri"] == "models:/scorecard/1"
    flags = {c["name"]: c["flag"] for c in report["characteristics"]}
    assert all(f in ("", "not predictive", "suspicious") for f in flags.values())
    assert flags["gastarb"] == "not predictive"  # noise in the synthetic data
    csv = proj.invoke("scorecard", "scorecard", "--format", "csv").stdout.splitlines()
    assert csv[0] == "characteristic,bin,count,bad_rate,woe,iv,points,characteristic_iv,flag"
    assert len(csv) - 1 == sum(len(c["bins"]) for c in report["characteristics"])
    md = proj.invoke("scorecard", "scorecard", "--format", "markdown").stdout
    assert "| characteristic | bin | count | bad rate | WoE | IV | points |" in md


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scorecard", "logistic_regression"], "is not a scorecard model"),
        (["scorecard", "scorecard", "--format", "xml"], "unknown format 'xml'"),
        (["scorecard", "nope"], "nope"),
    ],
)
def test_scorecard_command_refusals(proj: Project, args: list[str], message: str) -> None:
    result = proj.invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_predict_adds_the_score(proj: Project, tmp_path: Path) -> None:
    import mlflow

    applicants = random_rows.synthetic(40, seed=3).drop(columns=["kredit"])
    applicants.to_csv(tmp_path / "in.csv", index=False)
    result = proj.invoke(
        "predict", "scorecard", "-i", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv")
    )
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == ["p_bad", "decision", "score"]
    # higher = safer: the score falls as P(bad) rises
    ordered = out.sort_values("p_bad")["score"].to_numpy()
    assert np.all(np.diff(ordered) <= 1e-6)
    # a plain MLflow client loads the model: its P(bad) and the scorecard's own points
    mlflow.set_tracking_uri(proj.uri)
    model = mlflow.sklearn.load_model("models:/scorecard/1")
    p_bad = model.predict_proba(applicants)[:, 1]
    np.testing.assert_allclose(out["p_bad"], p_bad, rtol=1e-12)
    from credit_mlops.modeling.scorecard_table import credit_scores

    np.testing.assert_allclose(out["score"], credit_scores(model, applicants), rtol=1e-12)
    lr = proj.invoke(
        "predict",
        "logistic_regression",
        "-i",
        str(tmp_path / "in.csv"),
        "-o",
        str(tmp_path / "lr.csv"),
    )
    assert lr.exit_code == 0 and "score" not in pd.read_csv(tmp_path / "lr.csv").columns


def test_score_is_the_odds_on_the_points_scale(proj: Project) -> None:
    import mlflow

    mlflow.set_tracking_uri(proj.uri)
    model = mlflow.sklearn.load_model("models:/scorecard/1")
    from credit_mlops.modeling.scorecard_table import find_scorecard

    card = find_scorecard(model)
    assert card is not None
    X = random_rows.synthetic(20, seed=4).drop(columns=["kredit"])
    p = card.predict_proba(X)[:, 1]
    expected = 600 + 20 / math.log(2) * (np.log((1 - p) / p) - math.log(50))
    np.testing.assert_allclose(card.credit_score(X), expected, atol=1e-8)


def test_bad_scorecard_settings_exit_2_and_write_nothing(proj: Project) -> None:
    before = len(
        proj.client().search_runs(
            [proj.client().get_experiment_by_name("credit-risk").experiment_id]
        )
    )
    for env, message in (
        ({"CREDIT_SCORECARD__MONOTONIC_TREND": "sideways"}, "unknown trend 'sideways'"),
        ({"CREDIT_SCORECARD__TRENDS": '{"altr": "valley"}'}, "scorecard.trends names 'altr'"),
        ({"CREDIT_SCORECARD__PDO": "0"}, "scorecard.pdo"),
        ({"CREDIT_SCORECARD__PDO": "1e308", "CREDIT_SCORECARD__BASE_SCORE": "1e308"}, "at most"),
        ({"CREDIT_SCORECARD__BASE_ODDS": "1e9"}, "scorecard.base_odds"),
    ):
        result = proj.invoke(
            "train",
            "--data",
            str(proj.root / "data.asc"),
            "--model",
            "scorecard",
            "--cv-folds",
            "2",
            "--cv-repeats",
            "1",
            env=env,
        )
        assert result.exit_code == 2, (env, result.output)
        assert message in result.stderr, (env, result.stderr)
    after = len(
        proj.client().search_runs(
            [proj.client().get_experiment_by_name("credit-risk").experiment_id]
        )
    )
    assert after == before


def test_compare_pairs_two_trained_runs_on_the_same_splits(proj: Project) -> None:
    """Both models were trained in one `credit train` (same rows, folds, repeats, seed)."""
    from credit_mlops.compare.paired import corrected_resampled_t_test

    result = proj.invoke("compare", "--format", "json")
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    runs = {m: _run(proj, m) for m in ("scorecard", "logistic_regression")}
    auc = {m: r.data.metrics["roc_auc_test_mean"] for m, r in runs.items()}
    best, other = sorted(auc, key=lambda m: auc[m], reverse=True)
    folds = {
        m: [
            x.value
            for x in sorted(
                proj.client().get_metric_history(runs[m].info.run_id, "roc_auc_test"),
                key=lambda x: x.step,
            )
        ]
        for m in runs
    }
    test = corrected_resampled_t_test(folds[best], folds[other], folds=3)
    paired = [n for n in notes if "corrected resampled t-test" in n]
    assert paired == [
        f"{best} better than {other} in {test.wins} of 3 folds, p = {test.p:.3g} (corrected "
        "resampled t-test on the same splits): "
        + ("the difference is within noise" if test.p >= 0.05 else "a real difference")
        + ", on roc_auc_test"
    ]
