"""A new project's store is created whole or not at all: Ctrl-C (or a kill) while MLflow
migrates the schema of a new sqlite store leaves no half-migrated database behind, and the
next command creates the store as if nothing had happened. Real `credit` processes."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from tests.conftest import credit, project_with_store
from tests.integration.processes import start

pytestmark = [pytest.mark.integration, pytest.mark.slow]
QUICK = ["-m", "logistic_regression", "--cv-folds", "2", "--cv-repeats", "1", "-q"]


def _partials(store: Path) -> list[Path]:
    return sorted(store.glob(".mlflow.db.creating-*"))


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_a_store_interrupted_while_created_is_not_left_half_made(
    tmp_path: Path, synthetic_file: Path, how: signal.Signals
) -> None:
    root = project_with_store(tmp_path / "p", None)
    store = root / ".credit"
    env = {"CREDIT_DATA__PATH": str(synthetic_file)}
    proc = start(["train", *QUICK], root, env, start_new_session=True)
    deadline = time.monotonic() + 120
    while not _partials(store):  # the schema is being made beside the store
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the store's creation never began"
        time.sleep(0.01)
    os.killpg(proc.pid, how)
    try:
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert code == (130 if how == signal.SIGINT else -signal.SIGKILL)
    assert not (store / "mlflow.db").exists()  # whole or not at all: not at all
    if how == signal.SIGINT:
        assert _partials(store) == []  # cleaned up on the way out
    again = credit(["train", *QUICK, "--json"], root, env)
    assert again.returncode == 0, again.stderr
    assert _partials(store) == []  # a killed creator's leftovers are removed by the next
    listed = credit(["compare", "--format", "json"], root)
    assert listed.returncode == 0, listed.stderr
    assert "logistic_regression" in listed.stdout


def test_creation_waits_for_nothing_once_the_store_exists(
    tmp_path: Path, synthetic_file: Path
) -> None:
    """An existing store is opened in place (no copy is made of it)."""
    root = project_with_store(tmp_path / "p", None)
    env = {"CREDIT_DATA__PATH": str(synthetic_file)}
    assert credit(["train", *QUICK], root, env).returncode == 0
    before = (root / ".credit" / "mlflow.db").stat().st_ino
    assert credit(["train", *QUICK], root, env).returncode == 0
    assert (root / ".credit" / "mlflow.db").stat().st_ino == before


def test_a_half_migrated_store_is_named_as_such(tmp_path: Path) -> None:
    """A store broken the old way (a table MLflow's next migration creates, already there)
    is one line saying what happened and what to do, not 'unreachable'."""
    import sqlite3

    root = project_with_store(tmp_path / "p", None)
    (root / ".credit").mkdir()
    with sqlite3.connect(root / ".credit" / "mlflow.db") as db:
        db.execute("CREATE TABLE experiments (experiment_id INTEGER)")  # a first step only
    result = credit(["compare"], root)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1 and "half-migrated" in lines[0] and "unreachable" not in lines[0]


@pytest.mark.parametrize("content", ["random", "csv"])
def test_a_store_file_written_over_is_named_as_such(tmp_path: Path, content: str) -> None:
    """A store another program wrote over (output sent to .credit/mlflow.db, a copy gone
    wrong) is not a server that is down: one line, exit 2, what to do."""
    root = project_with_store(tmp_path / "p", None)
    (root / ".credit").mkdir()
    data = os.urandom(8192) if content == "random" else b"a,b\n1,2\n" * 600
    (root / ".credit" / "mlflow.db").write_bytes(data)
    result = credit(["compare"], root)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and "not a SQLite database" in lines[0], lines
    assert "unreachable" not in lines[0] and "server" not in lines[0]
    assert (root / ".credit" / "mlflow.db").read_bytes() == data  # left as it was
