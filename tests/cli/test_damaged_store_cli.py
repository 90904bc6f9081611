"""A local sqlite store that lost a table, or records a schema revision MLflow never had, is
refused in one line (exit 2) before any work, and left as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()


def _tables(db: Path) -> list[str]:
    with sqlite3.connect(db) as c:
        return sorted(r[0] for r in c.execute("select name from sqlite_master where type='table'"))


@pytest.mark.parametrize(
    ("damage", "needle"),
    [
        ("DROP TABLE registered_model_aliases", "lost table(s) registered_model_aliases"),
        ("UPDATE alembic_version SET version_num = 'deadbeef'", "revision 'deadbeef'"),
    ],
    ids=["lost-table", "unknown-revision"],
)
def test_a_damaged_store_is_refused_before_training(
    store: Path, synthetic_file: Path, damage: str, needle: str
) -> None:
    db = store / "mlflow.db"
    with sqlite3.connect(db) as c:
        c.execute(damage)
    if "alembic" in damage:  # with every table there, the revision alone is MLflow's to judge
        with sqlite3.connect(db) as c:
            c.execute("DROP TABLE webhooks")
    before = _tables(db)
    result = runner.invoke(
        app, ["train", "-m", "logistic_regression", "--data", str(synthetic_file)]
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert _tables(db) == before
    assert not (store / "outbox").exists()
