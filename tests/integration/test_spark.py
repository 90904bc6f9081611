"""Scoring with a real local Spark through mlflow.pyfunc.spark_udf, row for row against the
pandas engine."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from credit_mlops.data import writers
from credit_mlops.data.schema import FEATURES, TARGET
from credit_mlops.data.synth import synthesize
from credit_mlops.errors import DataError

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from credit_mlops.lifecycle.spark import session

    spark = session("local[2]")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def scoring(tmp_path_factory: pytest.TempPathFactory, spark: Any) -> tuple[Pipeline, Any]:
    """A fitted pipeline saved as an MLflow model, and the Spark UDF over it."""
    import mlflow.sklearn

    from credit_mlops.tracking.spark_scoring import save_decision_model, spark_udf

    folder = tmp_path_factory.mktemp("model")
    train = synthesize(5_000, seed=21)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        train[list(FEATURES)], (train[TARGET] == 0).astype(int)
    )
    mlflow.sklearn.save_model(model, str(folder / "sklearn"))  # skops: the tool loads no pickle
    wrapped = save_decision_model(
        str(folder / "sklearn"), threshold=0.25, features=list(FEATURES), folder=folder
    )
    return model, spark_udf(spark, wrapped)


def applicants(rows: int, seed: int) -> pd.DataFrame:
    frame = synthesize(rows, seed=seed).drop(columns=[TARGET])
    return frame.assign(id=[f"A-{i:06d}" for i in range(rows)])


def test_spark_scores_rows_exactly_like_the_pandas_engine(
    tmp_path: Path, spark: Any, scoring: tuple[Pipeline, Any]
) -> None:
    from credit_mlops.lifecycle.spark import score
    from credit_mlops.lifecycle.stream import score_file

    model, udf = scoring
    source = writers.write_frame(applicants(20_000, 5), tmp_path / "in.asc")
    result = score(spark, udf, source, tmp_path / "spark-out")
    pandas_result = score_file(model, source, tmp_path / "pandas.parquet", threshold=0.25)

    by_spark = pd.read_parquet(tmp_path / "spark-out").sort_values("id", ignore_index=True)
    by_pandas = pd.read_parquet(tmp_path / "pandas.parquet")
    assert list(by_spark.columns) == ["id", "p_bad", "decision"]
    assert len(by_spark) == 20_000
    pd.testing.assert_frame_equal(by_spark, by_pandas, check_exact=True)
    assert (result.rows, result.rejected) == (pandas_result.rows, pandas_result.rejected)
    assert not list(tmp_path.glob(".spark-out.*"))  # no work folder left beside the output


def test_bad_rows_are_named_by_id_and_nothing_is_written(
    tmp_path: Path, spark: Any, scoring: tuple[Pipeline, Any]
) -> None:
    from credit_mlops.lifecycle.spark import score

    frame = applicants(500, 6)
    frame.loc[[17, 400], "laufkont"] = [0, 9]
    source = writers.write_frame(frame, tmp_path / "in.parquet")
    with pytest.raises(
        DataError,
        match=r"'laufkont' has 2 values .* outside 1–4: id A-000017 \(0\.0\), id A-000400",
    ):
        score(spark, scoring[1], source, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with pytest.raises(DataError, match=r"missing column\(s\) id \(--id-column names it"):
        score(
            spark, scoring[1], writers.write_frame(frame.drop(columns="id"), source), tmp_path / "o"
        )


def test_without_pyspark_one_line_says_how_to_install_it(tmp_path: Path) -> None:
    blocker = tmp_path / "pyspark"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('No module named pyspark')\n")
    code = (
        "from credit_mlops.lifecycle.spark import require_pyspark\n"
        "from credit_mlops.errors import InputError\n"
        "try:\n    require_pyspark()\nexcept InputError as e:\n    print(e.exit_code, e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith(
        "2 --engine spark needs pyspark: pip install 'credit-mlops[spark]'"
    )
