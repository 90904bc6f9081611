"""What the tool loads from a store: only models it can check. A model logged by plain MLflow
with cloudpickle under a name the tool uses is refused in one line (exit 2) before its payload
runs, unless the user sets tracking.trust_models_that_run_code; a skops model that vouches for
an extra type in its own MLmodel is refused too; the tool's own models load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from tests.integration.project import Project

pytestmark = pytest.mark.integration


def _applicants(proj: Project, tmp_path: Path) -> Path:
    frame = pd.read_csv(proj.data_path, sep=r"\s+").head(20).drop(columns="kredit")
    path = tmp_path / "applicants.csv"
    frame.to_csv(path, index=False)
    return path


FOREIGN = """
import os, sys
import mlflow, mlflow.sklearn, numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import FunctionTransformer

class Payload:  # makes a folder when unpickled: the proof that loading ran the model's code
    def __init__(self, marker):
        self.marker = marker
    def __reduce__(self):
        return (os.mkdir, (self.marker,))

data, name, marker, kind = sys.argv[1:5]
frame = pd.read_csv(data, sep=r"\\s+")
features = [c for c in frame.columns if c != "kredit"]
mlflow.set_experiment("foreign")
with mlflow.start_run():
    if kind == "cloudpickle":
        model = LogisticRegression(max_iter=500).fit(frame[features], frame["kredit"] == 0)
        model.payload = Payload(marker)
        how = {"serialization_format": "cloudpickle"}
    elif kind == "plainskops":  # skops, trusted types only, fitted on other columns
        other = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
        model = LogisticRegression().fit(other, [0, 1, 0, 1])
        how = {"serialization_format": "skops"}
    else:  # skops, listing a type skops does not trust as trusted in its own MLmodel
        model = FunctionTransformer(np.testing.assert_array_equal).fit(np.zeros((2, 2)))
        how = {"serialization_format": "skops", "skops_trusted_types": [kind]}
    mlflow.sklearn.log_model(
        model, name="model", registered_model_name=name, pip_requirements=[], **how
    )
"""


def _log_foreign(proj: Project, name: str, marker: Path, kind: str) -> None:
    """A plain MLflow client (another process) logs and registers a model under `name`."""
    env = {**os.environ, "MLFLOW_TRACKING_URI": proj.uri}
    args = [sys.executable, "-c", FOREIGN, str(proj.data_path), name, str(marker), kind]
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=300)
    assert not marker.exists()  # logging did not run it


def test_a_cloudpickle_model_under_a_tool_name_is_refused_before_it_runs(
    proj: Project, tmp_path: Path
) -> None:
    marker = tmp_path / "payload-ran"
    _log_foreign(proj, "logistic_regression", marker, "cloudpickle")
    applicants, out = _applicants(proj, tmp_path), tmp_path / "out.csv"
    result = proj.invoke("predict", "logistic_regression", "-i", str(applicants), "-o", str(out))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "cloudpickle" in lines[0] and "tracking.trust_models_that_run_code" in lines[0]
    assert not marker.exists() and not out.exists()
    # the user opts in: the model loads (its payload runs) and scores
    trusted = proj.invoke(
        "predict", "logistic_regression", "-i", str(applicants), "-o", str(out),
        CREDIT_TRACKING__TRUST_MODELS_THAT_RUN_CODE="true",
    )  # fmt: skip
    assert trusted.exit_code == 0, trusted.output
    assert marker.exists() and len(pd.read_csv(out)) == 20


def test_a_skops_model_vouching_for_its_own_types_is_refused(proj: Project, tmp_path: Path) -> None:
    own = "numpy.testing._private.utils.assert_array_equal"
    _log_foreign(proj, "decision_tree", tmp_path / "unused", own)
    applicants, out = _applicants(proj, tmp_path), tmp_path / "out.csv"
    result = proj.invoke("predict", "decision_tree", "-i", str(applicants), "-o", str(out))
    assert result.exit_code == 2, result.output
    assert "does not trust" in result.stderr and own in result.stderr
    assert not out.exists()


def test_the_tools_own_model_loads_checked(proj: Project, tmp_path: Path) -> None:
    proj.ok("train", "-m", "xgboost", "--no-evaluate", "--mlflow-reg-name", "own_xgb")
    applicants, out = _applicants(proj, tmp_path), tmp_path / "out.csv"
    proj.ok("predict", "own_xgb", "-i", str(applicants), "-o", str(out))
    assert len(pd.read_csv(out)) == 20


@pytest.mark.parametrize("command", [("evaluate",), ("explain",), ("report",), ("fairness",)])
def test_a_version_plain_mlflow_logged_is_not_a_credit_run(
    proj: Project, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Commands that read a credit run's files say, in one line (exit 2), that a version
    logged by plain MLflow is not one: no store failure, no traceback."""
    name = f"plain_{command[0]}"
    _log_foreign(proj, name, tmp_path / "unused", "cloudpickle")
    result = proj.invoke(*command, f"{name}/1")
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "not trained by credit" in lines[0] or "not a credit" in lines[0], lines[0]


def test_a_checkable_model_not_trained_by_credit_is_refused_by_predict_and_serve(
    proj: Project, tmp_path: Path
) -> None:
    """A skops model of trusted types, fitted on other columns and registered under a
    catalogue name: predict and serve say in one line (exit 2) that it is not a credit
    model, before any applicant is scored (no scikit-learn traceback, no server answering
    500 to every request)."""
    _log_foreign(proj, "svm", tmp_path / "unused", "plainskops")  # a name no other test uses
    applicants, out = _applicants(proj, tmp_path), tmp_path / "out.csv"
    result = proj.invoke("predict", "svm", "-i", str(applicants), "-o", str(out))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not trained by credit" in lines[0], result.stderr
    assert not out.exists()
    served = proj.invoke("serve", "svm/1", "--port", "1")
    assert served.exit_code == 2, served.output
    lines = served.stderr.strip().splitlines()
    assert len(lines) == 1 and "carries no credit decision" in lines[0], served.stderr


@pytest.mark.slow
def test_spark_scoring_never_imports_from_the_models_own_code_folder(
    proj: Project, tmp_path: Path
) -> None:
    """A module planted in a registered model's `code/` folder (MLflow's loading puts it first
    on the import path) never runs when Spark's workers load the model: they build it from
    its checked skops file, as the pandas engine does."""
    pytest.importorskip("pyspark")
    from mlflow import MlflowClient

    proj.ok("train", "-m", "logistic_regression", "--no-evaluate", "--no-smote",
            "--mlflow-reg-name", "planted")  # fmt: skip
    client = MlflowClient(proj.uri)
    [version] = client.search_model_versions("name = 'planted'")
    model_id = version.model_id or version.source.removeprefix("models:/")
    logged = client.get_logged_model(model_id)
    code = Path(logged.artifact_location.removeprefix("file://")) / "code" / "imblearn"
    code.mkdir(parents=True)
    marker = tmp_path / "ran"
    (code / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    frame = pd.read_csv(_applicants(proj, tmp_path))
    applicants = tmp_path / "with-ids.csv"
    frame.rename_axis("id").reset_index().to_csv(applicants, index=False)
    out = tmp_path / "scored"
    result = proj.invoke(
        "predict", "planted", "-i", str(applicants), "-o", str(out), "--engine", "spark"
    )
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    assert len(pd.read_parquet(out)) == 20
