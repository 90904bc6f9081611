"""Scale inputs end to end on a real local store: Parquet and gzip through train, evaluate
and predict; `credit data synth`; `credit predict --engine spark` against the pandas engine."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.conftest import CREDIT, project_with_store
from typer.testing import CliRunner, Result

from credit_mlops.cli.main import app
from credit_mlops.data.schema import TARGET

pytestmark = pytest.mark.integration
runner = CliRunner()
FAST = ["--cv-folds", "3", "--cv-repeats", "1"]


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root

    def invoke(self, *args: str) -> Result:
        prefixes = ("CREDIT_", "MLFLOW_TRACKING", "MLFLOW_EXP")
        env: dict[str, str | None] = {k: None for k in os.environ if k.startswith(prefixes)}
        old = Path.cwd()
        os.chdir(self.root)
        try:
            return runner.invoke(app, list(args), env={**env, "COLUMNS": "200"})
        finally:
            os.chdir(old)

    def json(self, *args: str) -> Any:
        result = self.invoke(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def proj(tmp_path_factory: pytest.TempPathFactory, store_template: Path) -> Project:
    """A store with logistic_regression v1 trained on a synthetic Parquet file."""
    project = Project(project_with_store(tmp_path_factory.mktemp("scale"), store_template))
    train = project.root / "train.parquet"
    made = project.invoke("data", "synth", "--rows", "2000", "--seed", "1", "-o", str(train))
    assert made.exit_code == 0, made.output
    project.json("train", "-m", "logistic_regression", "--data", str(train), *FAST)
    return project


def applicants(proj: Project, rows: int, name: str) -> pd.DataFrame:
    path = proj.root / name
    assert (
        proj.invoke("data", "synth", "--rows", str(rows), "--seed", "7", "-o", str(path)).exit_code
        == 0
    )
    frame = pd.read_parquet(path).drop(columns=[TARGET])
    return frame.assign(id=[f"A-{i:06d}" for i in range(rows)])


def test_synth_is_seeded_and_valid(proj: Project, tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv", "c.parquet"):
        seed = "3" if name != "b.csv" else "4"
        result = proj.invoke(
            "data", "synth", "--rows", "500", "--seed", seed, "-o", str(tmp_path / name)
        )
        assert result.exit_code == 0, result.output
        assert proj.invoke("data", "validate", str(tmp_path / name)).exit_code == 0
    a = pd.read_csv(tmp_path / "a.csv", sep=" ")
    assert a.equals(pd.read_parquet(tmp_path / "c.parquet"))
    assert not a.equals(pd.read_csv(tmp_path / "b.csv", sep=" "))
    bad = proj.invoke("data", "synth", "--rows", "10", "-o", str(tmp_path / "x"), "--format", "xls")
    assert bad.exit_code == 2 and "--format 'xls' is unknown; use csv or parquet" in bad.stderr


def test_every_input_format_scores_the_same_rows(proj: Project, tmp_path: Path) -> None:
    frame = applicants(proj, 3000, "applicants.parquet")
    inputs = {"in.parquet": None, "in.csv.gz": ",", "in.csv": ";", "in.asc": " "}
    outputs = []
    for name, sep in inputs.items():
        path = tmp_path / name
        if sep is None:
            frame.to_parquet(path)
        elif name.endswith(".gz"):
            with gzip.open(path, "wt") as fh:
                frame.to_csv(fh, sep=sep, index=False)
        else:
            frame.to_csv(path, sep=sep, index=False)
        out = tmp_path / f"out-{name}.parquet"
        report = proj.json("predict", "logistic_regression", "-i", str(path), "-o", str(out))
        assert report["rows"] == 3000
        outputs.append(pd.read_parquet(out))
    for other in outputs[1:]:
        pd.testing.assert_frame_equal(other, outputs[0], check_exact=True)
    csv_out = tmp_path / "out.csv"
    proj.json("predict", "logistic_regression", "-i", str(tmp_path / "in.asc"), "-o", str(csv_out))
    pd.testing.assert_frame_equal(pd.read_csv(csv_out), outputs[0], check_exact=True)


def test_evaluate_reads_parquet_and_names_its_rows(proj: Project, tmp_path: Path) -> None:
    path = tmp_path / "eval.parquet"
    proj.invoke("data", "synth", "--rows", "400", "--seed", "9", "-o", str(path))
    report = proj.json("evaluate", "logistic_regression", "--data", str(path))
    assert report["scope"] == "file" and report["n_rows"] == 400
    frame = pd.read_parquet(path)
    frame.loc[3, "alter"] = 5
    frame.to_parquet(path)
    result = proj.invoke("evaluate", "logistic_regression", "--data", str(path))
    assert result.exit_code == 2
    assert "column 'alter' has 1 values outside 18–100: row 4 (5)" in result.stderr


def test_spark_without_pyspark_says_how_to_install_it(proj: Project, tmp_path: Path) -> None:
    blocker = tmp_path / "block" / "pyspark"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named pyspark')\n")
    source = tmp_path / "in.parquet"
    applicants(proj, 10, "few.parquet").to_parquet(source)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    done = subprocess.run(
        [
            str(CREDIT),
            "predict",
            "logistic_regression",
            "--engine",
            "spark",
            "-i",
            str(source),
            "-o",
            str(tmp_path / "out"),
        ],
        cwd=proj.root,
        env={**env, "PYTHONPATH": str(tmp_path / "block")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: --engine spark needs pyspark: pip install 'credit-mlops[spark]' "
        "(or `uv sync --extra spark`), and Java 17+ on the PATH"
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_spark_engine_equals_the_pandas_engine_on_100k_rows(proj: Project, tmp_path: Path) -> None:
    source = tmp_path / "portfolio.parquet"
    applicants(proj, 100_000, "portfolio-src.parquet").to_parquet(source)
    by_pandas = tmp_path / "pandas.parquet"
    by_spark = tmp_path / "spark-out"
    pandas_report = proj.json(
        "predict", "logistic_regression", "-i", str(source), "-o", str(by_pandas)
    )
    spark_report = proj.json(
        "predict",
        "logistic_regression",
        "-i",
        str(source),
        "-o",
        str(by_spark),
        "--engine",
        "spark",
        "--spark-master",
        "local[2]",
    )
    spark_rows = pd.read_parquet(by_spark).sort_values("id", ignore_index=True)
    pandas_rows = pd.read_parquet(by_pandas)
    assert list(spark_rows.columns) == ["id", "p_bad", "decision"]
    assert len(list(by_spark.glob("*.parquet"))) >= 1
    pd.testing.assert_frame_equal(spark_rows, pandas_rows, check_exact=True)
    assert spark_report["engine"] == "spark" and spark_report["rows"] == 100_000
    assert spark_report["rejected"] == pandas_report["rejected"]
