"""Every command that reads a data or applicants file says what a path that is no regular
file is (a folder, a named pipe, a device), in one line, exit 2, before reading it; an
unreadable applicants file is the user's to give again, never to fetch."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from tests.cli.test_hardening import one_error_line
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.data.formats import APPLICANTS_FIX, DATA_FIX

runner = CliRunner()

APPLICANTS = {
    "predict": ["predict", "m/1", "-i", "{f}", "-o", "out.csv"],
    "monitor": ["monitor", "m/1", "--data", "{f}"],
    "evaluate": ["evaluate", "m/1", "--data", "{f}"],
    "explain": ["explain", "m/1", "--data", "{f}"],
    "fairness": ["fairness", "m/1", "--data", "{f}"],
}
DATA = {
    "train": ["train", "--model", "logistic_regression", "--data", "{f}"],
    "drift": ["data", "drift", "-n", "3", "-o", "d.csv", "--data", "{f}"],
    "synth --like": ["data", "synth", "--rows", "3", "-o", "s.csv", "--like", "{f}"],
    "validate": ["data", "validate", "{f}"],
    "describe": ["data", "describe", "{f}", "--target", "kredit", "--bad", "0"],
    "--training-data": ["evaluate", "m/1", "--training-data", "{f}"],
}


def _special(project: Path, kind: str) -> Path:
    path = project / "ff.asc"
    if kind == "a named pipe (FIFO)":
        os.mkfifo(path)
    elif kind == "a device (a link to /dev/zero)":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    return path


@pytest.mark.parametrize(
    "kind", ["a named pipe (FIFO)", "a device (a link to /dev/zero)", "a folder"]
)
@pytest.mark.parametrize("command", [*APPLICANTS, *DATA])
def test_a_path_that_is_no_regular_file_is_said_as_what_it_is(
    project: Path, kind: str, command: str
) -> None:
    path = _special(project, kind)
    args = [a.replace("{f}", path.name) for a in {**APPLICANTS, **DATA}[command]]
    line = one_error_line(runner.invoke(app, args), f"ff.asc is {kind}, not a regular file")
    assert line.endswith(APPLICANTS_FIX if command in APPLICANTS else DATA_FIX)
    assert "does not exist" not in line
    assert not (project / ".credit").exists()


def test_a_byte_order_mark_alone_is_an_empty_applicants_file(project: Path) -> None:
    (project / "e3.csv").write_bytes(b"\xef\xbb\xbf")
    line = one_error_line(runner.invoke(app, ["predict", "m/1", "-i", "e3.csv", "-o", "z.csv"]))
    assert line == (
        "error: e3.csv: file is empty; write the header line and at least one applicant into it"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["predict", "m/1", "-i", "bin.csv", "-o", "z.csv"],
        ["data", "synth", "--rows", "3", "-o", "s.csv", "--like", "bin.csv"],
    ],
    ids=["predict", "synth --like"],
)
def test_random_bytes_ask_for_applicants_as_csv_or_parquet(project: Path, args: list[str]) -> None:
    noise = np.random.default_rng(11).integers(0, 256, 3000, dtype=np.uint8).tobytes()
    (project / "bin.csv").write_bytes(noise)
    line = one_error_line(runner.invoke(app, args))
    assert line == f"error: bin.csv: not a text table (garbled bytes); {APPLICANTS_FIX}"
    assert not (project / "z.csv").exists() and not (project / "s.csv").exists()
