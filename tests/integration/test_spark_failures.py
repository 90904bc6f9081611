"""`credit predict --engine spark` when Spark cannot run: one `error:` line and its exit
code from the real script, never Java's or Python's trace (which once ran to 94-460 lines)."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import credit
from tests.fake_master import fake_master
from tests.integration.project import Project, Setup
from tests.tmpfs import tmpfs

from credit_mlops.data import writers
from credit_mlops.data.synth import synthesize

pytest.importorskip("pyspark")
FAST = ["--cv-folds", "2", "--cv-repeats", "1", "--n-jobs", "1", "-q"]


@pytest.fixture(scope="module")
def project_setup() -> Setup:
    return Setup("spark-failures", commands=(("train", "-m", "logistic_regression", *FAST),))


@pytest.fixture(scope="module")
def applicants(proj: Project) -> Path:
    frame = synthesize(50, seed=2).drop(columns=["kredit"])
    frame.insert(0, "id", range(len(frame)))
    path = proj.root / "applicants.csv"
    writers.write_frame(frame, path, "csv")
    return path


def predict(
    proj: Project, applicants: Path, out: str, *extra: str, **env: str
) -> tuple[int, list[str]]:
    done = credit(
        [
            "predict",
            "logistic_regression",
            "-i",
            str(applicants),
            "-o",
            out,
            "--engine",
            "spark",
            "--spark-master",
            "local[1]",
            *extra,
        ],
        proj.root,
        {"CREDIT_DATA__PATH": str(proj.data_path), **env},
        timeout=400,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr
    assert not (proj.root / out).exists()
    return done.returncode, lines


def test_workers_without_pandas_are_one_line(
    proj: Project, applicants: Path, tmp_path: Path
) -> None:
    """A Python that runs but lacks the project's packages: the JVM starts, its workers die."""
    bare = tmp_path / "bare-python"
    bare.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')  # no site-packages
    bare.chmod(0o755)
    code, lines = predict(proj, applicants, "out-bare", PYSPARK_PYTHON=str(bare))
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "PYSPARK_PYTHON" in lines[0]


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"PYSPARK_PYTHON": "/nonexistent/python3"}, "PYSPARK_PYTHON=/nonexistent/python3"),
        ({"JAVA_HOME": "/nonexistent/jdk"}, "JAVA_HOME=/nonexistent/jdk"),
        ({"PATH": os.path.dirname(sys.executable)}, "none on the PATH"),
    ],
    ids=["wrong-pyspark-python", "wrong-java-home", "no-java-on-path"],
)
def test_environment_problems_are_one_line_before_any_jvm(
    proj: Project, applicants: Path, env: dict[str, str], needle: str
) -> None:
    environ = {"JAVA_HOME": ""} if "PATH" in env else {}
    code, lines = predict(proj, applicants, "out-env", **{**environ, **env})
    assert code == 2 and len(lines) == 1, lines
    assert needle in lines[0]


def test_an_unreachable_master_is_exit_3(proj: Project, applicants: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, lines = predict(
        proj, applicants, "out-master", "--spark-master", f"spark://127.0.0.1:{port}"
    )
    assert code == 3 and len(lines) == 1, lines
    assert f"spark://127.0.0.1:{port}" in lines[0]


@pytest.mark.parametrize("mode", ["silent", "http"])
def test_a_port_that_is_no_spark_master_is_exit_3_in_seconds(
    proj: Project, applicants: Path, mode: str
) -> None:
    """Spark alone tried to register for 70 s, then said "Spark failed" (exit 1)."""
    with fake_master(mode) as master:
        done = credit(
            ["predict", "logistic_regression", "-i", str(applicants), "-o", "out-fake",
             "--engine", "spark", "--spark-master", master],
            proj.root,
            {"CREDIT_DATA__PATH": str(proj.data_path)},
            timeout=45,
        )  # fmt: skip
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 3 and len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: Spark master at {master} answers the connection, but")
    assert not (proj.root / "out-fake").exists()


@pytest.mark.parametrize("as_folder", [False, True], ids=["file", "folder"])
def test_a_missing_id_column_is_refused_before_spark_starts(
    proj: Project, applicants: Path, tmp_path: Path, as_folder: bool
) -> None:
    """With no Java at all: a check that waited for Spark would fail on Java instead."""
    frame = synthesize(20, seed=3).drop(columns=["kredit"])
    source = tmp_path / "parts" if as_folder else tmp_path / "no-id.parquet"
    if as_folder:
        source.mkdir()
        (source / "_SUCCESS").touch()
        writers.write_frame(frame, source / "part-00000.parquet")
    else:
        writers.write_frame(frame, source)
    code, lines = predict(proj, source, "out-no-id", JAVA_HOME="/nonexistent/jdk")
    assert code == 2 and len(lines) == 1, lines
    assert "missing column(s) id (--id-column names it" in lines[0]


@pytest.fixture
def full_folder(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, all but 16 KiB of it taken."""
    with tmpfs(tmp_path / "full", "2m") as folder:
        free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
        (folder / "filler").write_bytes(b"\0" * (free - 16 * 1024))
        yield folder


@pytest.mark.slow
def test_a_full_output_disk_names_the_output_folder(proj: Project, full_folder: Path) -> None:
    """Spark's own scratch space has room; the output's disk has none: the line names the
    output folder (exit 1), not SPARK_LOCAL_DIRS, and the earlier output stays whole."""
    frame = synthesize(20_000, seed=5).drop(columns=["kredit"])
    frame.insert(0, "id", [f"applicant-{i}" for i in range(len(frame))])
    applicants = full_folder.parent / "many.csv"
    writers.write_frame(frame, applicants, "csv")
    out = full_folder / "sp_out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept")
    done = credit(
        ["predict", "logistic_regression", "-i", str(applicants), "-o", str(out),
         "--engine", "spark", "--spark-master", "local[1]", "--id-column", "id"],
        proj.root,
        {"CREDIT_DATA__PATH": str(proj.data_path)},
        timeout=600,
    )  # fmt: skip
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1 and len(lines) == 1, done.stderr[-3000:]
    assert lines[0] == (
        f"error: the disk is full writing {out} (No space left on device); nothing was "
        "half-written and earlier files are kept - free space and run again"
    )
    assert "Traceback" not in done.stderr
    assert [p.name for p in out.iterdir()] == ["earlier.txt"]
    assert sorted(p.name for p in full_folder.iterdir()) == ["filler", "sp_out"]
