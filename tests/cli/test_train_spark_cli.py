"""`credit train --engine spark`: what it refuses before Spark starts (one line, exit code),
through the real `credit` script. Nothing here starts Spark."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CREDIT = str(Path(sys.executable).with_name("credit"))


def credit(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CREDIT, *args],
        cwd=cwd,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_error_line(out: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in out.stderr
    return lines[0]


def test_a_model_key_spark_does_not_train_is_named_with_those_it_does(
    project: Path, synthetic_file: Path
) -> None:
    out = credit(
        ["train", "--engine", "spark", "-m", "random_forest", "--data", str(synthetic_file)],
        project,
    )
    assert out.returncode == 2
    line = one_error_line(out)
    assert "logistic_regression, xgboost" in line and "random_forest" in line
    assert not (project / ".credit").exists()  # nothing written to a store


def test_an_unknown_engine_is_bad_input(project: Path, synthetic_file: Path) -> None:
    out = credit(["train", "--engine", "dask", "--data", str(synthetic_file)], project)
    assert out.returncode == 2
    assert "choose from: pandas, spark" in one_error_line(out)


def test_a_master_that_does_not_answer_exits_3_within_30_seconds(
    project: Path, synthetic_file: Path
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    out = credit(
        [
            "train",
            "--engine",
            "spark",
            "-m",
            "logistic_regression",
            "--data",
            str(synthetic_file),
            "--spark-master",
            f"spark://127.0.0.1:{port}",
        ],
        project,
    )
    assert time.monotonic() - started < 30
    assert out.returncode == 3
    assert f"Spark master at spark://127.0.0.1:{port} is unreachable" in one_error_line(out)


def test_without_java_it_says_what_to_install(project: Path, synthetic_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # the project's tools, no java
    out = credit(
        ["train", "--engine", "spark", "-m", "xgboost", "--data", str(synthetic_file)], project, env
    )
    assert out.returncode == 2
    line = one_error_line(out)
    assert "Java 17+" in line


def test_without_pyspark_it_says_what_to_install(project: Path, synthetic_file: Path) -> None:
    # pyspark made unimportable in this one process, as in an install without the extra
    code = (
        "import sys; sys.modules['pyspark'] = None; sys.argv = ['credit', *sys.argv[1:]]; "
        "from credit_mlops.cli.main import main; main()"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "train",
            "--engine",
            "spark",
            "-m",
            "xgboost",
            "--data",
            str(synthetic_file),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 2
    assert "pip install 'credit-mlops[spark]'" in one_error_line(out)


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (["--calibrate", "sigmoid"], "does not calibrate"),
        (["--preprocessor", "p.joblib"], "own preprocessing"),
    ],
)
def test_what_the_spark_engine_does_not_do_is_one_line(
    project: Path, synthetic_file: Path, flags: list[str], fragment: str
) -> None:
    out = credit(
        ["train", "--engine", "spark", "-m", "xgboost", "--data", str(synthetic_file), *flags],
        project,
    )
    assert out.returncode == 2
    assert fragment in one_error_line(out)
