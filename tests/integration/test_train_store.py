"""`credit train --model all` on a real local MLflow store, read back with a plain client."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.modeling.catalog import DISPLAY_NAMES, KINDS, SEED_KEYS
from credit_mlops.modeling.metric_names import METRICS
from credit_mlops.train.outbox import entries

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, store_template: Path):  # type: ignore[no-untyped-def]
    """Train all five models once on the real file (or synthetic data without it)."""
    import os

    from tests.conftest import REAL_DATA, project_with_store

    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.data.tables import write_table

    root = project_with_store(tmp_path_factory.mktemp("project"), store_template)
    data_path = (
        Path(REAL_DATA)
        if REAL_DATA and Path(REAL_DATA).is_file()
        else write_table(synthetic(1000, seed=1), root / "synthetic.asc")
    )
    old = Path.cwd()
    os.chdir(root)
    saved = {
        k: os.environ.pop(k)
        for k in list(os.environ)
        if k.startswith(("CREDIT_", "MLFLOW_TRACKING", "MLFLOW_EXPERIMENT"))
    }
    try:
        result = runner.invoke(
            app,
            [
                "train",
                "--model",
                "all",
                "--data",
                str(data_path),
                "--cv-folds",
                "3",
                "--cv-repeats",
                "1",
                "--mlflow-tags",
                '{"dataset":"south_german_credit","experiment_type":"baseline"}',
                "--json",
            ],
        )
    finally:
        os.chdir(old)
        os.environ.update(saved)
    assert result.exit_code == 0, result.output
    return root, json.loads(result.stdout), data_path


@pytest.fixture(scope="module")
def client(trained):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    root = trained[0]
    return MlflowClient(tracking_uri=f"sqlite:///{root / '.credit' / 'mlflow.db'}")


def runs_by_key(client, report):  # type: ignore[no-untyped-def]
    return {r["key"]: client.get_run(r["run_id"]) for r in report["results"]}


def test_five_runs_with_the_seed_names(trained, client) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = trained
    runs = runs_by_key(client, report)
    assert sorted(runs) == sorted(SEED_KEYS)
    exp = client.get_experiment_by_name("credit-risk")
    assert {r.info.experiment_id for r in runs.values()} == {exp.experiment_id}
    for key, run in runs.items():
        assert run.info.status == "FINISHED"
        assert run.info.run_name.startswith(f"train_{key}_")
        p, m, t = run.data.params, run.data.metrics, run.data.tags
        assert p["version"] == "0.1.0" and p["model_key"] == key
        assert p["cv_folds"] == "3" and p["cv_repeats"] == "1" and p["random_seed"] == "42"
        assert p["smote__used"] == "True" and p["smote__method"] == "BorderlineSMOTE"
        assert p["smote__k_neighbors"] == "5" and p["smote__m_neighbors"] == "10"
        assert p["test_size"] == "0.3" and p["data_rows"] == "1000" and p["data_columns"] == "20"
        assert any(name.startswith("model__") for name in p)
        if key == "logistic_regression":  # C chosen on the training part, from the grid
            assert p["inner_search__used"] == "True"
            grid = KINDS[key].inner_grid["C"]
            assert float(p["model__C"]) in grid
        else:
            assert "inner_search__used" not in p
        for metric in METRICS:
            for part in ("test", "train"):
                for stat in ("mean", "std"):
                    assert f"{metric}_{part}_{stat}" in m
        assert (
            m["roc_auc_test_mean"]
            == report["results"][[r["key"] for r in report["results"]].index(key)]["metrics"][
                "roc_auc_test_mean"
            ]
        )
        for tag in (
            "project",
            "team",
            "script",
            "model_version",
            "model_name",
            "model_display_name",
            "git_commit",
            "timestamp",
        ):
            assert tag in t, tag
        assert t["model_name"] == key and t["model_display_name"] == DISPLAY_NAMES[key]
        assert t["dataset"] == "south_german_credit" and t["experiment_type"] == "baseline"


def test_hyperparameters_are_logged_for_each_estimator(trained, client) -> None:  # type: ignore[no-untyped-def]
    runs = runs_by_key(client, trained[1])
    assert runs["logistic_regression"].data.params["model__max_iter"] == "1000"  # C: chosen
    assert runs["xgboost"].data.params["model__n_estimators"] == "300"
    assert runs["random_forest"].data.params["model__n_jobs"] == "1"
    assert runs["svm"].data.params["model__estimator__kernel"] == "rbf"


def test_five_registered_versions_load_with_the_plain_client(trained, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import mlflow.sklearn
    import pandas as pd

    root, _report, data_path = trained
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / '.credit' / 'mlflow.db'}")
    frame = pd.read_csv(data_path, sep=r"\s+").head(10)
    for key in SEED_KEYS:
        versions = client.search_model_versions(f"name='{key}'")
        assert [str(v.version) for v in versions] == ["1"]
        assert versions[0].tags["model_version"] == "0.1.0"
        model = mlflow.sklearn.load_model(f"models:/{key}/latest")
        proba = model.predict_proba(frame.drop(columns=["kredit"]))
        assert proba.shape == (10, 2) and np.all((proba >= 0) & (proba <= 1))


def test_models_and_artifacts(trained, client) -> None:  # type: ignore[no-untyped-def]
    runs = runs_by_key(client, trained[1])
    exp_id = runs["xgboost"].info.experiment_id
    logged = client.search_logged_models(experiment_ids=[exp_id])
    names = {(m.source_run_id, m.name) for m in logged}
    for _key, run in runs.items():
        assert (run.info.run_id, "model") in names
    assert (runs["xgboost"].info.run_id, "xgb_model_only") in names
    assert sum(1 for _, n in names if n == "xgb_model_only") == 1
    for run in runs.values():
        files = {a.path for a in client.list_artifacts(run.info.run_id, "results")}
        assert files == {"results/model_results.json", "results/holdout.json"}
    path = client.download_artifacts(runs["svm"].info.run_id, "results/holdout.json")
    holdout = json.loads(Path(path).read_text())
    assert holdout["n_test"] == 300 and len(holdout["test_rows"]) == 300


def test_training_data_logged_as_dataset_input(trained, client) -> None:  # type: ignore[no-untyped-def]
    run = runs_by_key(client, trained[1])["decision_tree"]
    inputs = run.inputs.dataset_inputs
    assert len(inputs) == 1
    ds = inputs[0].dataset
    assert ds.name == "south-german-credit" and ds.digest
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "training"
    assert json.loads(ds.profile)["num_rows"] == 700


def test_artifacts_live_in_the_project_store(trained) -> None:  # type: ignore[no-untyped-def]
    root = trained[0]
    assert (root / ".credit" / "artifacts").is_dir()
    assert not (root / "mlruns").exists() and not (root / "mlartifacts").exists()


def test_second_train_adds_a_version(trained, client) -> None:  # type: ignore[no-untyped-def]
    import os

    root, _, data_path = trained
    old = Path.cwd()
    os.chdir(root)
    try:
        result = runner.invoke(
            app,
            [
                "train",
                "-m",
                "decision_tree",
                "--data",
                str(data_path),
                "--no-evaluate",
                "--model-version",
                "1.0.0",
                "--json",
            ],
        )
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    versions = client.search_model_versions("name='decision_tree'")
    assert sorted(str(v.version) for v in versions) == ["1", "2"]
    run = client.get_run(json.loads(result.stdout)["results"][0]["run_id"])
    # --no-evaluate: no cross-validation metrics, only the threshold (the cost matrix's
    # Bayes rule, which needs no data)
    assert set(run.data.metrics) == {"decision_threshold"}
    assert run.data.params["threshold_source"].startswith("the cost matrix (Bayes rule")
    assert run.data.params["version"] == "1.0.0"


def test_local_store_failure_keeps_the_models_then_sync(store: Path, synthetic_file: Path) -> None:
    """A store that cannot take the artifacts: the trained models go to the outbox, and
    `credit sync` uploads them once the store is fixed."""
    from mlflow import MlflowClient

    blocker = store / "artifacts"
    blocker.write_text("a file where the artifact folder should be")
    result = runner.invoke(
        app,
        [
            "train",
            "-m",
            "decision_tree,logistic_regression",
            "--data",
            str(synthetic_file),
            "--no-evaluate",
            "--json",
        ],
    )
    assert result.exit_code == 1, result.output
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("error: the run files of experiment 'credit-risk' could not be written to ")
    )
    kept = json.loads(result.stdout)["results"]
    assert all(r["outbox"] and r["run_id"] is None for r in kept)
    assert len(entries(store / "outbox")) == 2

    blocker.unlink()
    synced = runner.invoke(app, ["sync", "--json"])
    assert synced.exit_code == 0, synced.output
    assert [r["status"] for r in json.loads(synced.stdout)] == ["synced", "synced"]
    assert entries(store / "outbox") == []  # (sync's lock file stays: it is no entry)
    client = MlflowClient(tracking_uri=f"sqlite:///{store / 'mlflow.db'}")
    runs = client.search_runs([client.get_experiment_by_name("credit-risk").experiment_id])
    finished = [r for r in runs if r.info.status == "FINISHED"]
    assert sorted(r.data.tags["model_name"] for r in finished) == [
        "decision_tree",
        "logistic_regression",
    ]
    assert all(r.data.tags["credit.synced"] == "true" for r in finished)
    assert {r.info.status for r in runs} <= {"FINISHED", "FAILED"}
    for key in ("decision_tree", "logistic_regression"):
        assert [str(v.version) for v in client.search_model_versions(f"name='{key}'")] == ["1"]
