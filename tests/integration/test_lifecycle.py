"""The lifecycle on a real local MLflow store: train -> register -> promote -> evaluate ->
predict, and loading through the plain MLflow client as the seed guide shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.integration.project import Project, Setup
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.data import random_rows, tables

pytestmark = pytest.mark.integration
runner = CliRunner()
FAST = ["--cv-folds", "3", "--cv-repeats", "1"]


@pytest.fixture(scope="module")
def project_setup() -> Setup:
    return Setup("lifecycle")


@pytest.fixture(scope="module")
def sequence(proj: Project) -> dict[str, Any]:
    """The issue's full sequence, step by step; each later test reads its outcome."""
    out: dict[str, Any] = {}
    lr = proj.json("train", "-m", "logistic_regression", *FAST, "--no-register")
    out["lr_run"] = lr["results"][0]["run_id"]
    out["register"] = proj.json("register", out["lr_run"], "--name", "credit-scorer")
    out["staging"] = proj.json("promote", "credit-scorer", "1", "staging")
    out["production"] = proj.json("promote", "credit-scorer", "1", "Production")
    dt = proj.json("train", "-m", "decision_tree", *FAST, "--mlflow-reg-name", "credit-scorer")
    out["dt"] = dt["results"][0]
    out["refused"] = proj.invoke("promote", "credit-scorer", "2", "Production")
    out["forced"] = proj.json("promote", "credit-scorer", "2", "Production", "--force")
    out["history"] = proj.json("promote", "credit-scorer", "--history")
    # the seed guide's names: logistic_regression registered by train, then in Production
    proj.ok("train", "-m", "logistic_regression", *FAST)
    proj.ok("promote", "logistic_regression", "1", "production")
    return out


def test_register_prints_name_and_new_version(sequence: dict[str, Any]) -> None:
    assert sequence["register"]["name"] == "credit-scorer"
    assert sequence["register"]["version"] == "1"
    assert sequence["dt"]["registered_name"] == "credit-scorer"
    assert sequence["dt"]["registered_version"] == "2"


def test_promotions_move_stage_and_alias(proj: Project, sequence: dict[str, Any]) -> None:
    assert sequence["staging"]["to_stage"] == "Staging"
    assert sequence["production"]["from_stage"] == "Staging"
    c = proj.client()
    model = c.get_registered_model("credit-scorer")
    # staging left v1 when it went to Production
    assert {k: str(v) for k, v in model.aliases.items()} == {"production": "2"}
    stages = {
        str(v.version): v.current_stage for v in c.search_model_versions("name='credit-scorer'")
    }
    assert stages == {"1": "Archived", "2": "Production"}


def test_gate_refuses_a_worse_model_and_shows_both_figures(sequence: dict[str, Any]) -> None:
    refused = sequence["refused"]
    assert refused.exit_code == 2
    line = refused.stderr.strip()
    assert line.startswith("error: refused: credit-scorer v2 has roc_auc_test_mean 0.")
    assert "worse than Production v1 (0." in line and "--force" in line
    forced = sequence["forced"]
    assert forced["forced"] is True and forced["archived"] == ["1"]
    assert forced["candidate"] < forced["current"]


def test_history_records_every_promotion(sequence: dict[str, Any]) -> None:
    rows = [
        (h["version"], h["from_stage"], h["to_stage"], h["forced"]) for h in sequence["history"]
    ]
    assert rows == [
        ("1", "None", "Staging", False),
        ("1", "Staging", "Production", False),
        ("2", "None", "Production", True),
        ("1", "Production", "Archived", False),
    ]
    for h in sequence["history"]:
        assert h["by"] and h["at"] and h["metric"] == "roc_auc_test_mean"
    assert sequence["history"][3]["note"] == "replaced by v2"


def test_history_table(proj: Project, sequence: dict[str, Any]) -> None:
    out = proj.ok("promote", "credit-scorer", "--history").stdout
    assert "Promotions of 'credit-scorer'" in out
    assert "Staging → Production" in out and "forced" in out


def test_plain_client_loads_as_the_seed_guide_shows(
    proj: Project, sequence: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow.sklearn

    monkeypatch.setenv("MLFLOW_TRACKING_URI", proj.uri)
    frame = pd.read_csv(proj.data_path, sep=r"\s+").drop(columns=["kredit"]).head(5)
    for uri in (
        "models:/logistic_regression/latest",
        "models:/logistic_regression/1",
        "models:/logistic_regression/Production",
        "models:/logistic_regression@production",
        "models:/credit-scorer@production",
        "models:/credit-scorer/Production",
    ):
        proba = mlflow.sklearn.load_model(uri).predict_proba(frame)
        assert proba.shape == (5, 2), uri
    prod = mlflow.sklearn.load_model("models:/credit-scorer/Production")
    # the decision travels with the model: FixedThresholdClassifier around the pipeline
    assert type(prod.estimator_.named_steps["model"]).__name__ == "DecisionTreeClassifier"
    assert (
        prod.predict(frame).tolist()
        == (prod.predict_proba(frame)[:, 1] >= prod.threshold).astype(int).tolist()
    )


def test_evaluate_holdout_twice_bit_for_bit(proj: Project, sequence: dict[str, Any]) -> None:
    first = proj.json("evaluate", "logistic_regression/1")
    second = proj.json("evaluate", "models:/logistic_regression/Production")
    assert first["scope"] == "holdout" and first["n_rows"] == 300
    assert first["metrics"] == second["metrics"]  # exact equality of every float
    for key in ("roc_auc", "brier", "expected_cost_at_0_5", "expected_cost_at_threshold"):
        assert key in first["metrics"]
    assert first["metrics"]["threshold"] == pytest.approx(first["threshold"])
    assert first["threshold_source"].startswith("the cost matrix (Bayes rule")
    assert sorted(Path(p).name for p in first["figures"].values()) == [
        "calibration_curve.png",
        "confusion_matrix.png",
        "precision_recall_curve.png",
        "roc_curve.png",
    ]
    for path in first["figures"].values():
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluation_is_logged_and_linked_to_the_version(
    proj: Project, sequence: dict[str, Any]
) -> None:
    report = proj.json("evaluate", "credit-scorer@production")
    c = proj.client()
    run = c.get_run(report["evaluation_run_id"])
    assert run.data.tags["credit.evaluated_model"] == "credit-scorer"
    assert run.data.tags["credit.evaluated_version"] == "2"
    assert run.data.tags["credit.source_run_id"] == sequence["dt"]["run_id"]
    assert run.data.metrics["holdout_roc_auc"] == report["metrics"]["roc_auc"]
    mv = c.get_model_version("credit-scorer", "2")
    assert mv.tags["eval.run_id"] == run.info.run_id
    assert float(mv.tags["eval.holdout.roc_auc"]) == pytest.approx(
        report["metrics"]["roc_auc"], abs=1e-5
    )


def test_evaluate_another_file(proj: Project, sequence: dict[str, Any], tmp_path: Path) -> None:
    other = tables.write_table(random_rows.synthetic(200, seed=99), tmp_path / "other.asc")
    report = proj.json("evaluate", "credit-scorer/1", "--data", str(other))
    assert report["scope"] == "file" and report["n_rows"] == 200


def test_predict_holdout_matches_evaluate(
    proj: Project, sequence: dict[str, Any], tmp_path: Path
) -> None:
    report = proj.json("evaluate", "logistic_regression/1", "--output-dir", str(tmp_path / "ev"))
    scored = pd.read_csv(tmp_path / "ev" / "predictions.csv")
    frame = pd.read_csv(proj.data_path, sep=r"\s+").iloc[scored["row"]]
    frame.insert(0, "id", [f"A{r}" for r in scored["row"]])
    frame.drop(columns=["kredit"]).to_csv(tmp_path / "applicants.csv", index=False)
    result = proj.json(
        "predict",
        "logistic_regression/1",
        "--input",
        str(tmp_path / "applicants.csv"),
        "--output",
        str(tmp_path / "out.csv"),
    )
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == ["id", "p_bad", "decision"]
    assert out["id"].tolist() == [f"A{r}" for r in scored["row"]]  # input order kept
    assert out["p_bad"].tolist() == scored["p_bad"].tolist()  # the same probabilities
    assert (out["decision"] == scored["decision"]).all()
    assert result["rows"] == 300 and result["threshold"] == report["threshold"]


# --- bad inputs: exit 2 and a message naming the valid choices ----------------------------

BAD = {
    "unknown name": (
        ["promote", "nope", "1", "Production"],
        "no registered model 'nope' at sqlite:///",
    ),
    "unknown version": (
        ["promote", "credit-scorer", "9", "Production"],
        "has no version 9 (versions: 1, 2)",
    ),
    "unknown stage": (
        ["promote", "credit-scorer", "1", "Prod"],
        "unknown stage 'Prod' (choose from: Staging, Production, Archived, None)",
    ),
    "unknown alias": (
        ["evaluate", "credit-scorer@champion"],
        "has no alias 'champion' (aliases: production)",
    ),
    "stage without version": (
        ["evaluate", "credit-scorer/Staging"],
        "has no version in stage Staging",
    ),
    "bad reference": (
        ["evaluate", "credit-scorer/newest"],
        "neither a version number, 'latest' nor a stage",
    ),
    "unknown run": (["register", "0" * 32], f"no run with id '{'0' * 32}'"),
    "unknown run uri": (["evaluate", f"runs:/{'0' * 32}/model"], "no run with id"),
    "missing version": (["promote", "credit-scorer"], "give NAME VERSION STAGE"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_lifecycle_input(proj: Project, sequence: dict[str, Any], case: str) -> None:
    args, expected = BAD[case]
    result = proj.invoke(*args)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_register_a_run_without_a_model(proj: Project, sequence: dict[str, Any]) -> None:
    eval_run = proj.json("evaluate", "credit-scorer/1")["evaluation_run_id"]
    result = proj.invoke("register", eval_run)
    assert result.exit_code == 2
    assert "has no logged model named 'model'" in result.stderr


def test_predict_wrong_schema(proj: Project, sequence: dict[str, Any], tmp_path: Path) -> None:
    frame = random_rows.synthetic(50, seed=1).drop(columns=["kredit"])
    frame.loc[7, "beruf"] = 9
    frame.to_csv(tmp_path / "in.csv", index=False)
    result = proj.invoke(
        "predict", "credit-scorer", "-i", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")
    )
    assert result.exit_code == 2
    assert "column 'beruf' has 1 codes outside 1–4: line 9 (9)" in result.stderr
    assert not (tmp_path / "o.csv").exists()
    random_rows.synthetic(50, seed=1).drop(columns=["rate"]).to_csv(
        tmp_path / "in2.csv", index=False
    )
    result = proj.invoke(
        "predict", "credit-scorer", "-i", str(tmp_path / "in2.csv"), "-o", str(tmp_path / "o.csv")
    )
    assert result.exit_code == 2 and "missing column(s) rate" in result.stderr


def test_evaluate_wrong_schema_file(
    proj: Project, sequence: dict[str, Any], tmp_path: Path
) -> None:
    bad = random_rows.synthetic(100, seed=3).assign(kredit=5)
    path = tables.write_table(bad, tmp_path / "bad.asc")
    result = proj.invoke("evaluate", "credit-scorer", "--data", str(path))
    assert result.exit_code == 2 and "must be binary" in result.stderr


def test_commands_on_a_project_without_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["promote", "xgboost", "1", "Production"])
    assert result.exit_code == 2
    assert (
        "no tracking store at sqlite:///" in result.stderr
        and "run `credit train` first" in result.stderr
    )
    assert not (tmp_path / ".credit").exists()
