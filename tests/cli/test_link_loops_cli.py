"""A symbolic link that leads back to itself, given as any path, is said the same way by every
command: one line naming the setting, exit 2, nothing written, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.cli.test_hardening import applicants, one_error_line
from tests.conftest import credit
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
LOOP = "leads back to itself"


def _loop(folder: Path) -> Path:
    """loopa -> loopb -> loopa, in `folder`."""
    (folder / "loopb").symlink_to("loopa")
    (folder / "loopa").symlink_to("loopb")
    return folder / "loopa"


# (arguments, environment, the setting the line names); {app} is an applicants file.
CASES = [
    (["predict", "no-such-model", "-i", "{app}", "-o", "loopa"], {}, "--output"),
    (["predict", "no-such-model", "-i", "{app}", "-o", "loopa/x.csv"], {}, "--output"),
    (["predict", "no-such-model", "-i", "loopa", "-o", "ok.csv"], {}, "--input"),
    (["evaluate", "no-such-model", "--output-dir", "loopa"], {}, "--output-dir"),
    (["evaluate", "no-such-model", "--data", "loopa"], {}, "--data"),
    (["report", "no-such-model", "-o", "loopa"], {}, "--output"),
    (["monitor", "no-such-model", "--output-dir", "loopa"], {}, "--output-dir"),
    (["train", "--model", "logistic_regression", "--data", "loopa"], {}, "--data"),
    (["train", "--model", "logistic_regression"], {"CREDIT_DATA__PATH": "loopa"}, "data file"),
    (["compare", "-o", "loopa"], {}, "--output"),
    (["data", "synth", "--rows", "5", "-o", "loopa"], {}, "--output"),
    (["data", "validate", "loopa"], {}, "loopa"),
    (["config", "show"], {"CREDIT_CONFIG_DIR": "loopa"}, "CREDIT_CONFIG_DIR"),
    (["compare"], {"CREDIT_TRACKING__STORE_DIR": "loopa"}, "tracking.uri"),
    (["predict", "m/1", "-i", "{app}", "-o", "o.csv"], {"CREDIT_TRACKING__STORE_DIR": "loopa"}, ""),
    (["train", "--model", "logistic_regression"], {"CREDIT_TRACKING__STORE_DIR": "loopa"}, ""),
    (["data", "fetch", "--url", "http://127.0.0.1:9/x.zip"], {"CREDIT_DATA__DIR": "loopa"}, ""),
    (["serve", "no-such-model"], {"CREDIT_SERVE__JOURNAL_DIR": "loopa"}, "serve.journal_dir"),
    (["server", "start", "--dir", "loopa", "--backend", "sqlite"], {}, "--dir"),
    (["server", "stop", "--dir", "loopa"], {}, "--dir"),
]


@pytest.mark.parametrize(
    ("args", "env", "setting"), CASES, ids=[" ".join([*c[1], *c[0]])[:48] for c in CASES]
)
def test_a_link_loop_is_one_line_everywhere(
    store: Path, tmp_path: Path, args: list[str], env: dict[str, str], setting: str
) -> None:
    _loop(store.parent)
    given = [a.format(app=applicants(tmp_path)) for a in args]
    before = sorted(os.listdir(store.parent))
    result = runner.invoke(app, given, env=env)
    line = one_error_line(result, setting, "loopa is a symbolic link", LOOP, "remove it")
    assert "no runs" not in line and "does not exist" not in line
    assert sorted(os.listdir(store.parent)) == before  # nothing written beside the loop


def test_a_looping_store_is_not_taken_for_an_empty_one(store: Path) -> None:
    """compare over a store that cannot be opened says so, never "no runs to compare"."""
    _loop(store.parent)
    result = runner.invoke(app, ["compare"], env={"CREDIT_TRACKING__STORE_DIR": "loopa"})
    one_error_line(result, "tracking.uri", LOOP)
    assert "no runs" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["predict", "no-such-model", "-i", "{app}", "-o", "loopa"],
        ["server", "start", "--dir", "loopa", "--port", "5724", "--backend", "sqlite"],
    ],
    ids=["predict", "server-start"],
)
def test_the_real_script_says_a_loop_in_one_line(
    store: Path, tmp_path: Path, args: list[str]
) -> None:
    _loop(store.parent)
    given = [a.format(app=applicants(tmp_path)) for a in args]
    done = credit(given, cwd=store.parent)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and LOOP in lines[0] and "Traceback" not in done.stderr, lines
    assert lines[0].startswith("error: ")
    assert os.readlink(store.parent / "loopa") == "loopb"  # the links are left as they were
    assert os.readlink(store.parent / "loopb") == "loopa"
