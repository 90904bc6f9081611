"""The parser's own refusals (a bad flag, value or command) are one line, like every other
refusal: `error: <what>` plus where the help is, exit 2, no usage block, no traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.conftest import CREDIT
from typer.testing import CliRunner

from credit_mlops.cli.main import app

CASES = [
    (["train", "--cv-folds", "abc"], "Invalid value for '--cv-folds'", "credit train --help"),
    (["train", "--bogus"], "No such option: --bogus", "credit train --help"),
    (["train", "--model"], "Option '--model' requires an argument", "credit train --help"),
    (["bogus"], "No such command 'bogus'", "credit --help lists the commands"),
    (["data", "bogus"], "No such command 'bogus'", "credit data --help lists the commands"),
    (["data", "synth", "--rows", "x"], "Invalid value for '--rows'", "credit data synth --help"),
    (["promote", "a", "b", "c", "d"], "unexpected extra argument", "credit promote --help"),
    (
        ["compare", "-f", "xml"],
        "Invalid value for '--format' / '-f': 'xml' is not one of",  # no library's prefix
        "credit compare --help",
    ),
]


@pytest.mark.parametrize(("args", "what", "where"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_a_usage_error_is_one_line_with_exit_2(
    tmp_path: Path, args: list[str], what: str, where: str
) -> None:
    done = subprocess.run(
        [str(CREDIT), *args], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and what in lines[0] and where in lines[0], lines
    assert "Usage:" not in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_a_bare_group_still_shows_its_help(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(CREDIT), "data"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert "Commands" in done.stdout + done.stderr and "describe" in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["promote", "m", "1.0", "Staging"], "error: VERSION '1.0' is not a version number"),
        (["promote", "m", "١", "Staging"], "error: VERSION '١' is not a version number"),
        (["compare", "--runs", "abc/../def"], "error: --runs: 'abc/../def' is not a run id"),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused_before_the_store_is_opened(
    tmp_path: Path, args: list[str], line: str
) -> None:
    done = subprocess.run(
        [str(CREDIT), *args], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(line) and not (tmp_path / ".credit").exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["compare", "--model", ""], "--model: no model given (choose from: "),
        (["compare", "--model", ","], "--model: no model given (choose from: "),
        (["compare", "--runs", ""], "--runs: no run id given"),
        (["compare", "--runs", ", ,"], "--runs: no run id given"),
        (["train", "--mlflow-tags", '{"a": NaN}'], "--mlflow-tags holds NaN, which is no JSON"),
        (["train", "--mlflow-tags", '{"b": -Infinity}'], "holds -Infinity"),
    ],
)
def test_a_filter_or_value_given_empty_or_not_json_is_refused(
    store: Path, argv: list[str], said: str
) -> None:
    """An empty filter is never "everything" (or "no runs in the registry"), and Python's
    NaN is no JSON value: one line, exit 2, before the store is read."""
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--data", ""],
        ["train", "--preprocessor", " "],
        ["predict", "m/1", "-i", "", "-o", "x.csv"],
        ["evaluate", "m/1", "--data", ""],
        ["evaluate", "m/1", "--training-data", ""],
        ["monitor", "m/1", "--data", ""],
        ["compare", "--mlflow-uri", ""],
        ["server", "start", "--dir", ""],
        ["data", "synth", "--like", "", "-o", "x.csv"],
    ],
)
def test_an_option_given_empty_is_refused_not_read_as_the_current_folder(
    store: Path, argv: list[str]
) -> None:
    """pathlib reads '' as '.', the current folder; a URI '' as no URI: either would be a
    silent fallback (the local store, a server in the working folder)."""
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is empty" in lines[0], result.stderr
    assert not (store.parent / "server.pid").exists()
