"""The decision inside the logged model, on a real local MLflow store: `credit predict`,
`credit evaluate` and a plain `mlflow.sklearn.load_model(...).predict()` agree row for row;
the ensemble, calibration, the cost settings and --test-size 0 end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.conftest import project_with_store
from tests.integration.project import Project, Setup

from credit_mlops.data import random_rows, tables
from credit_mlops.modeling.catalog import KINDS

pytestmark = pytest.mark.integration
FAST = ["--cv-folds", "3", "--cv-repeats", "1"]
# A small ensemble so the test stays quick: two members, one override.
ENSEMBLE_TOML = """
[ensemble]
members = ["logistic_regression", "decision_tree"]
weights = [2.0, 1.0]
[ensemble.params.decision_tree]
max_depth = 3
"""


@pytest.fixture(scope="module")
def project_setup() -> Setup:
    return Setup("decisions", data=_synthetic_600, config=ENSEMBLE_TOML)


def _synthetic_600(root: Path) -> Path:
    return tables.write_table(random_rows.synthetic(600, seed=4), root / "credit.asc")


@pytest.fixture(scope="module")
def trained(proj: Project) -> dict[str, Any]:
    report = proj.json("train", "-m", "logistic_regression,ensemble", *FAST)
    return {r["key"]: r for r in report["results"]}


def _holdout_applicants(proj: Project, tmp_path: Path, key: str) -> tuple[pd.DataFrame, Any]:
    """`credit evaluate` on the holdout, and the same rows written as an applicants file."""
    report = proj.json("evaluate", key, "--output-dir", str(tmp_path / "ev"))
    scored = pd.read_csv(tmp_path / "ev" / "predictions.csv")
    frame = pd.read_csv(proj.data_path, sep=r"\s+").iloc[scored["row"]]
    frame.drop(columns=["kredit"]).to_csv(tmp_path / "applicants.csv", index=False)
    return scored, report


@pytest.mark.parametrize("key", ["logistic_regression", "ensemble"])
def test_predict_evaluate_and_a_plain_client_decide_alike(
    proj: Project, trained: dict[str, Any], tmp_path: Path, key: str, monkeypatch: Any
) -> None:
    import mlflow.pyfunc
    import mlflow.sklearn

    scored, report = _holdout_applicants(proj, tmp_path, key)
    proj.json(
        "predict",
        key,
        "-i",
        str(tmp_path / "applicants.csv"),
        "-o",
        str(tmp_path / "o.csv"),
        "--explain",
        "3",
    )
    predicted = pd.read_csv(tmp_path / "o.csv")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", proj.uri)
    model = mlflow.sklearn.load_model(f"models:/{key}/latest")
    applicants = pd.read_csv(tmp_path / "applicants.csv")
    plain = np.where(model.predict(applicants) == 1, "reject", "accept")
    assert (plain == scored["decision"].to_numpy()).all()
    assert (plain == predicted["decision"].to_numpy()).all()
    assert 0 < (plain == "reject").sum() < len(plain)  # a real decision, not one class
    # what `mlflow models serve` and Spark use: the pyfunc flavour gives the whole decision,
    # row for row the same as `credit predict --explain 3`
    served = mlflow.pyfunc.load_model(f"models:/{key}/latest").predict(
        applicants, params={"reasons": 3}
    )
    assert served["decision"].tolist() == predicted["decision"].tolist()
    np.testing.assert_array_equal(served["p_bad"].to_numpy(), predicted["p_bad"].to_numpy())
    for i in (1, 2, 3):
        mine = served[f"reason_{i}"].fillna("").tolist()
        assert mine == predicted[f"reason_{i}"].fillna("").tolist()
    # the score is P(bad) on the points scale: higher P(bad), fewer points
    assert (np.diff(served.sort_values("p_bad")["score"].to_numpy()) <= 0).all()
    # the threshold inside the model is the cost matrix's Bayes rule, and what evaluate used
    assert model.threshold == pytest.approx(1 / 6)
    assert report["threshold"] == pytest.approx(model.threshold)
    np.testing.assert_allclose(model.predict_proba(applicants)[:, 1], scored["p_bad"])


def test_runs_log_honest_costs_and_the_cost_matrix(proj: Project, trained: dict[str, Any]) -> None:
    run = proj.client().get_run(trained["logistic_regression"]["run_id"])
    m, p = run.data.metrics, run.data.params
    for name in ("expected_cost", "brier", "log_loss"):
        for part in ("test", "train"):
            assert f"{name}_{part}_mean" in m and f"{name}_{part}_std" in m
    assert 0 < m["expected_cost_test_mean"] <= 5 and 0 < m["brier_test_mean"] < 0.5
    assert "roc_auc_test_mean" in m and "f1_test_mean" in m  # the seed's names stay
    assert p["cost__accept_bad"] == "5.0" and p["cost__reject_good"] == "1.0"
    assert p["cost__threshold_rule"] == "bayes" and p["calibration"] == "none"


def test_ensemble_logs_member_parameters(proj: Project, trained: dict[str, Any]) -> None:
    ens = trained["ensemble"]
    assert ens["registered_name"] == "ensemble" and ens["registered_version"] == "1"
    p = proj.client().get_run(ens["run_id"]).data.params
    assert p["model__members"] == "logistic_regression,decision_tree"
    assert p["model__weights"] == "2.0,1.0"
    assert p["model__decision_tree__max_depth"] == "3"  # the override
    # the logistic member's C is chosen on the training part, as for the logistic key alone
    assert float(p["model__logistic_regression__C"]) in KINDS["logistic_regression"].inner_grid["C"]
    assert p["inner_search__used"] == "True"
    assert p["smote__used"] == "False"  # members skip oversampling unless [ensemble] smote


def test_calibrated_model_and_other_costs(proj: Project, monkeypatch: Any, tmp_path: Path) -> None:
    import mlflow.sklearn

    report = proj.json(
        "train",
        "-m",
        "logistic_regression",
        "--calibrate",
        "sigmoid",
        "--no-evaluate",
        "--no-register",
        CREDIT_COST__ACCEPT_BAD="3",
    )
    run_id = report["results"][0]["run_id"]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", proj.uri)
    model = mlflow.sklearn.load_model(f"runs:/{run_id}/model")
    assert type(model.estimator_).__name__ == "CalibratedClassifierCV"
    assert model.threshold == pytest.approx(0.25)  # 1 / (3 + 1)
    p = proj.client().get_run(run_id).data.params
    assert p["calibration"] == "sigmoid" and p["cost__accept_bad"] == "3.0"
    # evaluate prices the decisions with the matrix the run chose its threshold for
    ev = proj.json("evaluate", f"runs:/{run_id}/model", "--output-dir", str(tmp_path / "ev"))
    assert ev["costs"] == [3.0, 1.0] and ev["threshold"] == pytest.approx(0.25)
    rows = pd.read_csv(tmp_path / "ev" / "predictions.csv")
    reject, bad = rows["decision"] == "reject", rows["bad"] == 1
    expected = (3 * (bad & ~reject).sum() + (~bad & reject).sum()) / len(rows)
    assert ev["metrics"]["expected_cost_at_threshold"] == pytest.approx(expected)


def test_test_size_zero_trains_on_every_row(proj: Project, tmp_path: Path) -> None:
    report = proj.json(
        "train", "-m", "decision_tree", "--test-size", "0", "--no-evaluate", "--no-register"
    )
    run_id = report["results"][0]["run_id"]
    p = proj.client().get_run(run_id).data.params
    assert p["holdout_rows"] == "0" and p["train_rows"] == "600"
    refused = proj.invoke("evaluate", f"runs:/{run_id}/model")
    assert refused.exit_code == 2
    # (MLflow's own artifact download bar may come before it)
    assert refused.stderr.strip().splitlines()[-1] == (
        f"error: run {run_id} kept no holdout (trained with --test-size 0); "
        "score a file with --data FILE"
    )
    assert "Traceback" not in refused.stderr
    scored = proj.json("evaluate", f"runs:/{run_id}/model", "--data", str(proj.data_path))
    assert scored["scope"] == "file" and scored["n_rows"] == 600
    nothing = proj.invoke("evaluate", f"runs:/{run_id}/nothere", "--data", str(proj.data_path))
    assert nothing.exit_code == 2  # a path the run lacks is named, not a tracking failure
    assert f"run '{run_id}' has nothing at 'nothere'" in nothing.stderr


@pytest.mark.parametrize(
    ("args", "toml", "message"),
    [
        (["--calibrate", "platt"], "", "unknown calibration 'platt'"),
        (["--test-size", "1"], "", "test_size"),
        (["-m", "ensemble"], '[ensemble]\nmembers = ["xgboost", "catboost"]\n', "catboost"),
        (
            ["-m", "ensemble"],
            '[ensemble]\nmembers = ["xgboost", "svm"]\n[ensemble.params.xgboost]\ndepth = 2\n',
            "ensemble member 'xgboost' has no parameter 'depth'",
        ),
        (["--cv-folds", "2"], "", "cost.accept_bad"),  # CREDIT_COST__ACCEPT_BAD=0 below
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, args: list[str], toml: str, message: str
) -> None:
    env = {"CREDIT_COST__ACCEPT_BAD": "0"} if message == "cost.accept_bad" else {}
    root = project_with_store(tmp_path, None)
    with (root / "configs" / "local.toml").open("a") as fh:
        fh.write(toml)
    data_path = tables.write_table(random_rows.synthetic(200, seed=1), root / "credit.asc")
    result = Project(root, data_path).invoke("train", *args, **env)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (root / ".credit").exists()  # the store was never created


def test_config_show_lists_the_cost_matrix(proj: Project) -> None:
    rows = {r["key"]: r for r in proj.json("config", "show")["settings"]}
    assert rows["cost.accept_bad"]["value"] == "5.0"
    assert rows["cost.reject_good"]["value"] == "1.0"
    assert rows["train.calibrate"]["value"] == "none"
    assert rows["ensemble.members"]["source"] == "configs/local.toml"
