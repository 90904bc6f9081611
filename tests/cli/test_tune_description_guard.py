"""Two workers that describe the same data file differently ask different questions: the
second is refused in one line and writes nothing to the study."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.cli.test_tune_cli import TUNE, env_for
from typer.testing import CliRunner

from credit_mlops.cli.main import app

REPO = Path(__file__).resolve().parents[2]
FAST = [*TUNE, "--trials", "1", "--mlflow-disable", "-q"]


def test_another_description_of_the_same_data_is_another_question(
    project: Path, synthetic_file: Path, tmp_path: Path
) -> None:
    shipped = (REPO / "configs/data/south-german-credit.toml").read_text(encoding="utf-8")
    ordinal = tmp_path / "ordinal.toml"  # the same data, laufkont read as ordered
    changed = shipped.replace(
        '[columns.laufkont]\nlabel = "status"\nkind = "nominal"',
        '[columns.laufkont]\nlabel = "status"\nkind = "ordinal"',
    )
    assert changed != shipped
    ordinal.write_text(changed, encoding="utf-8")
    runner = CliRunner()
    env = env_for(synthetic_file)
    assert runner.invoke(app, FAST, env=env).exit_code == 0
    journal = project / ".credit" / "optuna.journal"
    before = hashlib.sha256(journal.read_bytes()).hexdigest()
    result = runner.invoke(app, FAST, env={**env, "CREDIT_DATA__DESCRIPTION": str(ordinal)})
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "data_description_digest" in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert hashlib.sha256(journal.read_bytes()).hexdigest() == before
    assert runner.invoke(app, FAST, env=env).exit_code == 0  # the study's own question joins
