"""predict --explain, credit explain, credit fairness and the promotion fairness gate on a
real local MLflow store (sqlite in tmp_path), through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.integration.project import Project, Setup

from credit_mlops.data import tables
from credit_mlops.data.schema import FEATURES

pytestmark = pytest.mark.integration
MODELS = "xgboost,logistic_regression,svm,decision_tree"


@pytest.fixture(scope="module")
def project_setup() -> Setup:
    return Setup("explain", commands=(("train", "-m", MODELS, "--no-evaluate", "-q"),))


@pytest.fixture(scope="module")
def applicants(proj: Project) -> Path:
    frame = tables.read_table(proj.data_path).head(6).drop(columns=["kredit"])
    frame.insert(0, "id", [f"A-{i}" for i in range(1, 7)])
    path = proj.root / "applicants.csv"
    frame.to_csv(path, index=False)
    return path


def scored(proj: Project, applicants: Path, model: str, *extra: str) -> pd.DataFrame:
    out = proj.root / f"scored-{model}-{len(extra)}.csv"
    proj.ok("predict", model, "-i", str(applicants), "-o", str(out), "--explain", *extra)
    return pd.read_csv(out)


@pytest.mark.parametrize("model", ["xgboost", "logistic_regression", "decision_tree"])
def test_reasons_are_the_top_positive_contributions_of_original_columns(
    proj: Project, applicants: Path, model: str
) -> None:
    import mlflow.sklearn

    from credit_mlops.explain.attribution import explainer

    frame = scored(proj, applicants, model)
    assert list(frame.columns[:3]) == ["id", "p_bad", "decision"]
    assert [c for c in frame.columns if c.startswith("reason_")] == [
        *(f"reason_{i}" for i in range(1, 5)),
        *(f"reason_{i}_value" for i in range(1, 5)),
    ]
    # the same attributions, computed here on the registered model, name the same reasons
    mlflow.set_tracking_uri(proj.uri)
    loaded = mlflow.sklearn.load_model(f"models:/{model}/latest")
    raw = pd.read_csv(applicants).drop(columns=["id"])[list(FEATURES)]
    run = proj.client().get_run(proj.client().get_model_version(model, "1").run_id)
    background_file = proj.client().download_artifacts(
        run.info.run_id, "explain/background.json", str(proj.root / f"bg-{model}")
    )
    from credit_mlops.explain.background import from_json

    background = from_json(json.loads(Path(background_file).read_text()))
    attribution = explainer(loaded, list(FEATURES), background, model).explain(raw)
    for row in range(len(frame)):
        positive = sorted(attribution.values[row][attribution.values[row] > 0], reverse=True)
        shown = frame.loc[row, [f"reason_{i}_value" for i in range(1, 5)]].dropna().tolist()
        np.testing.assert_allclose(shown, positive[:4], rtol=1e-9)
        for name in frame.loc[row, [f"reason_{i}" for i in range(1, 5)]].dropna():
            assert re.match(r"^[a-z_]+: \S", name), name  # "status: no checking account"
            assert "__" not in name  # no transformed feature name leaks out


def test_the_svm_explains_on_the_stored_background_reproducibly(
    proj: Project, applicants: Path
) -> None:
    first = scored(proj, applicants, "svm", "2")
    second = scored(proj, applicants, "svm", "2", "-q")
    pd.testing.assert_frame_equal(first, second)
    assert "reason_2_value" in first.columns and "reason_3" not in first.columns


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--explain", "0"], "--explain 0: the number of reasons must be at least 1"),
        (["--explain", "-1"], "-1 is not a flag"),  # the parser reads it as a flag
        (["3"], "the number of reasons goes after --explain"),
    ],
)
def test_zero_or_negative_reasons_are_refused(
    proj: Project, applicants: Path, args: list[str], message: str
) -> None:
    out = proj.root / "never.csv"
    before = proj.runs()
    result = proj.invoke("predict", "xgboost", "-i", str(applicants), "-o", str(out), *args)
    assert result.exit_code == 2, result.output
    assert result.output.lower().count("error:") == 1 and message in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and proj.runs() == before


def test_credit_explain_logs_an_evaluation_run_on_the_version(proj: Project) -> None:
    result = proj.ok("explain", "xgboost", "--output-dir", str(proj.root / "xgb-explain"))
    assert "mean |contribution|" in result.output and "status" in result.output
    for picture in ("importance_bar.png", "summary_beeswarm.png"):
        assert (proj.root / "xgb-explain" / picture).stat().st_size > 1000
    client = proj.client()
    version = client.get_model_version("xgboost", "1")
    run_id = client.get_model_version("xgboost", version.version).tags["explain.run_id"]
    run = client.get_run(run_id)
    assert run.data.tags["script"] == "credit explain"
    assert run.data.tags["credit.kind"] == "evaluation"
    assert len([m for m in run.data.metrics if m.startswith("holdout_mean_abs_")]) == 20
    payload = json.loads(proj.ok("explain", "xgboost", "--json").stdout)
    assert payload["space"] == "log-odds" and len(payload["importance"]) == 20


def test_credit_fairness_table_formats_run_and_version_tags(proj: Project) -> None:
    result = proj.ok("fairness", "logistic_regression")
    for expected in ("by age", "by foreign_worker", "by sex", "under 25", "not identifiable"):
        assert expected in result.output
    payload = json.loads(proj.ok("fairness", "logistic_regression", "--format", "json").stdout)
    by_name = {a["attribute"]: a for a in payload["attributes"]}
    assert set(by_name) == {"age", "foreign_worker", "sex"}
    sex = {g["group"]: g for g in by_name["sex"]["groups"]}
    assert sex["not identifiable"]["verdict"] == "no verdict: not identifiable"
    assert sum(g["count"] for g in by_name["age"]["groups"]) == payload["rows"]
    csv_out = proj.ok("fairness", "logistic_regression", "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("attribute,group,n,reject rate")
    markdown = proj.ok("fairness", "logistic_regression", "--format", "markdown").stdout
    assert "### age" in markdown and "| group |" in markdown
    client = proj.client()
    version = client.get_model_version("logistic_regression", "1")
    tags = client.get_model_version("logistic_regression", version.version).tags
    assert tags["fairness.max_parity_difference"] == (
        "n/a"
        if payload["max_parity_difference"] is None
        else f"{payload['max_parity_difference']:.4f}"
    )
    assert client.get_run(tags["fairness.run_id"]).data.tags["script"] == "credit fairness"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CREDIT_FAIRNESS__ATTRIBUTES": '["sexo"]'}, "unknown fairness group column 'sexo'"),
        ({"CREDIT_FAIRNESS__BANDS": '{"alter": [50, 25]}'}, "strictly increasing"),
    ],
)
def test_bad_fairness_settings_are_refused_before_anything_is_logged(
    proj: Project, env: dict[str, str], message: str
) -> None:
    before = proj.runs()
    result = proj.invoke("fairness", "logistic_regression", **env)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert proj.runs() == before


def test_the_promotion_fairness_gate(proj: Project) -> None:
    gap = {"CREDIT_PROMOTE__MAX_PARITY_GAP": "0.0"}
    refused = proj.invoke("promote", "logistic_regression", "1", "Production", **gap)
    assert refused.exit_code == 2, refused.output
    assert "demographic parity difference of" in refused.output
    assert "above promote.max_parity_gap 0" in refused.output
    client = proj.client()
    assert client.get_model_version("logistic_regression", "1").current_stage == "None"
    proj.ok("promote", "logistic_regression", "1", "Staging", **gap)  # only Production is gated
    proj.ok("promote", "logistic_regression", "1", "Production", "--force", **gap)
    assert client.get_model_version("logistic_regression", "1").current_stage == "Production"
    proj.ok("promote", "decision_tree", "1", "Production", "--force")  # gate off by default
