"""`credit train --engine spark --spark-master ...` through the real script: a master Spark
would not parse is one line naming it and the forms, exit 2, before Java or Spark starts;
a port that accepts but is no Spark master is one line, exit 3, in seconds (Spark alone
took 70 s and said "Spark failed", exit 1); a master Spark parses but then gives up on is
not blamed on Java."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.conftest import credit
from tests.fake_master import NOT_SPARK, fake_master

from credit_mlops.ops.spark_master import FORMS


def train(master: str, data: Path) -> list[str]:
    return ["train", "--engine", "spark", "-m", "logistic_regression", "--data", str(data),
            "--mlflow-disable", "--spark-master", master]  # fmt: skip


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("master", ["bogus://x", "spark://host", "local[0]"])
def test_a_master_spark_would_not_parse_is_one_line_exit_2(
    project: Path, synthetic_file: Path, master: str
) -> None:
    pytest.importorskip("pyspark")
    done = credit(train(master, synthetic_file), project)
    assert done.returncode == 2, done.stderr
    line = one_error_line(done.stderr)
    assert repr(master) in line and FORMS in line
    assert "Java" not in line
    assert not (project / ".credit").exists()  # nothing written


@pytest.mark.parametrize("mode", NOT_SPARK)
def test_a_port_that_is_no_spark_master_is_one_line_exit_3_in_seconds(
    project: Path, synthetic_file: Path, mode: str
) -> None:
    """Silent, garbage, HTTP, hanging up: each is told before any JVM, within the default
    spark.connect_timeout (10 s); the generous subprocess timeout fails Spark's 70 s."""
    pytest.importorskip("pyspark")
    with fake_master(mode) as master:
        done = credit(train(master, synthetic_file), project, timeout=45)
    assert done.returncode == 3, done.stderr
    line = one_error_line(done.stderr)
    assert f"Spark master at {master} answers the connection, but not as a Spark master" in line
    assert "fix --spark-master" in line


@pytest.mark.slow
def test_a_master_spark_gives_up_on_is_not_blamed_on_java(
    project: Path, synthetic_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """yarn parses, and spark-submit (Java started) refuses it without HADOOP_CONF_DIR."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("needs Java")
    for name in ("HADOOP_CONF_DIR", "YARN_CONF_DIR"):
        monkeypatch.delenv(name, raising=False)
    done = credit(train("yarn", synthetic_file), project)
    assert done.returncode == 2, done.stderr
    line = one_error_line(done.stderr)
    assert "install Java" not in line and "master yarn" in line
    assert "HADOOP_CONF_DIR" in line


@pytest.mark.slow
def test_predict_reaches_the_profiles_master_within_its_connect_timeout(
    store: Path, synthetic_file: Path, tmp_path: Path
) -> None:
    """`credit predict --engine spark` takes spark.master and spark.connect_timeout from the
    settings (here the environment), as `credit train` does."""
    pytest.importorskip("pyspark")
    import pandas as pd

    project = store.parent
    fit = ["train", "-m", "logistic_regression", "--no-smote", "--cv-folds", "2",
           "--cv-repeats", "1", "--data", str(synthetic_file)]  # fmt: skip
    trained = credit(fit, project)
    assert trained.returncode == 0, trained.stderr
    rows = pd.read_csv(synthetic_file, sep=r"\s+").head(20)
    applicants = tmp_path / "apps.csv"
    rows.rename_axis("id").reset_index().to_csv(applicants, index=False)
    scores = tmp_path / "scores"
    args = ["predict", "logistic_regression", "-i", str(applicants), "-o", str(scores),
            "--engine", "spark"]  # fmt: skip
    with fake_master("silent") as master:
        env = {"CREDIT_SPARK__MASTER": master, "CREDIT_SPARK__CONNECT_TIMEOUT": "2"}
        done = credit(args, project, env=env, timeout=45)
    assert done.returncode == 3, done.stderr
    line = one_error_line(done.stderr)
    assert f"Spark master at {master} answers the connection" in line
    assert "it said nothing in 2 s" in line
    assert not scores.exists()
