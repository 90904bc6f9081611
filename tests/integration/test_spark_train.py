"""`credit train --engine spark` on a real local[2] Spark with 100,000 synthetic rows: the
models register, the pandas engine's `credit predict` gives Spark's own P(bad), and the CV
ROC AUC is that of the pandas engine on the same rows. Two Spark starts in all (the
training subprocess and the in-process session that scores with Spark's fitted models)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.conftest import project_with_store
from typer.testing import CliRunner

from credit_mlops.data import writers
from credit_mlops.data.synth import synthesize

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROWS = 100_000
CREDIT = str(Path(sys.executable).with_name("credit"))
KEYS = ("logistic_regression", "xgboost")
CV = ["--cv-folds", "3", "--cv-repeats", "1"]
LEAKS = ("MLFLOW_TRACKING", "MLFLOW_EXP")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, store_template: Path) -> Path:
    folder = project_with_store(tmp_path_factory.mktemp("spark-train"), store_template)
    frame = synthesize(ROWS, seed=11)
    writers.write_frame(frame, folder / "training.parquet")  # the pandas engine takes no id
    frame.insert(0, "id", [f"A-{i:06d}" for i in range(ROWS)])
    writers.write_frame(frame, folder / "applicants.parquet")
    return folder


def run(root: Path, data: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [CREDIT, "train", "--data", data, "-m", ",".join(KEYS), *CV, *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=3000,
        check=False,
        # In-process commands of earlier tests leave MLflow's global tracking URI in the
        # environment (mlflow.set_tracking_uri writes it there): the project's own store only.
        env={k: v for k, v in os.environ.items() if not k.startswith(LEAKS)},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report: dict[str, Any] = json.loads(out.stdout)
    return report


@pytest.fixture(scope="module")
def spark_report(root: Path) -> dict[str, Any]:
    return run(
        root, "applicants.parquet", "--engine", "spark", "--spark-master", "local[2]", "--json"
    )


@pytest.fixture(scope="module")
def spark_scores(root: Path, spark_report: dict[str, Any]) -> Iterator[dict[str, pd.Series]]:
    """Spark's own P(bad) of every row, from Spark models fitted as the training run fits its
    final ones (same rows, same seed)."""
    from credit_mlops.config.loader import load_settings
    from credit_mlops.lifecycle.spark import session
    from credit_mlops.train import spark_engine
    from credit_mlops.train import spark_jobs as jobs

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        settings = load_settings(None, {"data": {"path": root / "applicants.parquet"}})
    spark = session("local[2]", app="test")
    try:
        _, part = spark_engine._load(spark, settings, str(root / "applicants.parquet"))
        every = jobs.training_rows(
            spark.read.parquet(str(root / "applicants.parquet")), source="t", id_column="id"
        )
        out = {}
        for key in KEYS:
            fitted, stats = spark_engine._fit(spark, settings, key, part, {})
            scored = jobs.probabilities(fitted.model, jobs.featurize(every, stats)).toPandas()
            out[key] = scored.set_index(jobs.KEY)[jobs.P_BAD].sort_index()
        yield out
    finally:
        spark.stop()


def test_both_models_register(spark_report: dict[str, Any]) -> None:
    results = {r["key"]: r for r in spark_report["results"]}
    assert set(results) == set(KEYS)
    for key in KEYS:
        assert (results[key]["registered_name"], results[key]["registered_version"]) == (key, "1")
    assert spark_report["n_train"] + spark_report["n_holdout"] == ROWS
    assert 0.25 < spark_report["n_holdout"] / ROWS < 0.35  # test_size 0.3, by a hash of the id


@pytest.mark.parametrize("key", KEYS)
def test_the_pandas_engine_predicts_sparks_own_p_bad(
    root: Path, spark_scores: dict[str, pd.Series], key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_mlops.cli.main import app

    monkeypatch.chdir(root)  # its profile and store
    output = root / f"{key}.parquet"
    result = CliRunner().invoke(
        app,
        [
            "predict",
            f"models:/{key}/1",
            "--input",
            "applicants.parquet",
            "--output",
            str(output),
            "--id-column",
            "id",
        ],
    )
    assert result.exit_code == 0, result.output
    by_pandas = pd.read_parquet(output).set_index("id")["p_bad"].sort_index()
    by_spark = spark_scores[key]
    assert list(by_pandas.index) == list(by_spark.index)  # every row, no row twice
    assert np.abs(by_pandas.to_numpy() - by_spark.to_numpy()).max() < 1e-6


def test_cv_roc_auc_matches_the_pandas_engine_on_the_same_rows(
    root: Path, spark_report: dict[str, Any]
) -> None:
    pandas_report = run(
        root, "training.parquet", "--class-weight", "--no-smote", "--mlflow-disable", "--json"
    )
    for key in KEYS:
        spark_auc = next(r for r in spark_report["results"] if r["key"] == key)["metrics"]
        pandas_auc = next(r for r in pandas_report["results"] if r["key"] == key)["metrics"]
        assert abs(spark_auc["roc_auc_test_mean"] - pandas_auc["roc_auc_test_mean"]) <= 0.01
