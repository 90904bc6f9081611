"""`credit tune` on a study journal whose records were corrupted after Optuna wrote them:
refused in one line (file, line, what is wrong, how to recover), exit 2, the journal left
as it was - never a traceback mid-study, never a foreign record skipped in silence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from tests.cli.test_tune_cli import TUNE, env_for
from tests.conftest import credit
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
FAST = [*TUNE, "--trials", "1", "--mlflow-disable", "-q"]
MORE = [*TUNE, "--trials", "2", "--mlflow-disable", "-q"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corrupt(journal: Path, kind: str) -> int:
    """Append a corrupted record after the study's first trial; its line number."""
    lines = journal.read_bytes().splitlines()
    logs = [json.loads(line) for line in lines]
    trial = max(r["trial_id"] for r in logs if "trial_id" in r)
    record: dict[str, Any]
    if kind == "values-as-text":  # a new trial whose value is text
        trials = sum(1 for r in logs if r["op_code"] == 4)
        created = {"op_code": 4, "worker_id": "w", "study_id": 0, "datetime_start": None}
        journal.write_bytes(journal.read_bytes() + json.dumps(created).encode() + b"\n")
        record = {"op_code": 6, "worker_id": "w", "trial_id": trials, "state": 1,
                  "values": ["x"], "datetime_complete": "2026-01-01T00:00:00+00:00"}  # fmt: skip
    else:  # a param of a trial no record created
        param = next(r for r in logs if r["op_code"] == 5)
        record = {**param, "trial_id": trial + 999}
    with journal.open("ab") as fh:
        fh.write(json.dumps(record).encode() + b"\n")
    return len(journal.read_bytes().splitlines())


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("values-as-text", 'values ["x"] are neither null nor a list of 1 number'),
        ("foreign-trial", "names a trial no earlier record created"),
    ],
)
def test_a_corrupted_journal_is_refused_in_one_line(
    project: Path, synthetic_file: Path, kind: str, what: str
) -> None:
    env = env_for(synthetic_file)
    first = runner.invoke(app, FAST, env=env)
    assert first.exit_code == 0, first.output
    journal = project / ".credit" / "optuna.journal"
    line = corrupt(journal, kind)
    before = digest(journal)
    for _ in range(2):  # a second worker is refused the same way: nothing was appended
        result = runner.invoke(app, MORE, env=env)
        assert result.exit_code == 2, result.output
        lines = [text for text in result.stderr.splitlines() if text.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert str(journal) in lines[0] and f"at line {line} (" in lines[0]
        assert what in lines[0] and "move it away" in lines[0]
        assert digest(journal) == before


def test_a_corrupted_journal_is_refused_by_the_real_script(
    project: Path, synthetic_file: Path
) -> None:
    env = env_for(synthetic_file)
    assert runner.invoke(app, FAST, env=env).exit_code == 0
    journal = project / ".credit" / "optuna.journal"
    line = corrupt(journal, "values-as-text")
    before = digest(journal)
    done = credit(MORE, project, env)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "TypeError" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "damaged" not in done.stderr and f"at line {line} (" in done.stderr
    assert digest(journal) == before
