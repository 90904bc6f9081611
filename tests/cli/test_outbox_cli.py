"""`credit sync` in a real process: an entry goes to the experiment it records, under the
run name it records, whatever the settings say; a damaged entry is one line, exit 2."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

from tests.conftest import credit
from tests.unit.train.test_outbox_sync import spec

from credit_mlops.train.outbox import entries, write_entry


def _runs(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as con:
        return con.execute(
            "select e.name, r.name from runs r join experiments e "
            "on r.experiment_id = e.experiment_id"
        ).fetchall()


def test_sync_uses_the_entry_not_the_settings(store: Path) -> None:
    outbox = store / "outbox"
    name = "/../../../x"  # the run name: kept as the name, never as a path
    entry = write_entry(outbox, replace(spec(), run_name=name), experiment="team-a", reason="t")
    assert entry.parent == outbox
    result = credit(["sync", "--json"], store.parent, {"CREDIT_TRACKING__EXPERIMENT": "other"})
    assert result.returncode == 0, result.stderr
    [synced] = json.loads(result.stdout)
    assert (synced["status"], synced["run_name"]) == ("synced", name)
    assert _runs(store / "mlflow.db") == [("team-a", name)]
    assert entries(outbox) == []


def test_a_damaged_entry_is_one_line_and_kept(store: Path) -> None:
    outbox = store / "outbox"
    entry = write_entry(outbox, spec(), experiment="credit-risk", reason="t")
    (entry / "model.skops").write_bytes(b"PK\x03\x04garbage")
    result = credit(["sync"], store.parent)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert any("model.skops is not the file written with the entry" in line for line in lines)
    assert lines[-1].startswith("error: 1 of 1 outbox entries could not be synced")
    assert _runs(store / "mlflow.db") == []
    assert entries(outbox) == [entry]


def test_an_entry_for_an_experiment_deleted_since_is_one_line_and_kept(store: Path) -> None:
    """The experiment an entry records was deleted in the store after it was kept: sync
    says so (and how to restore it) before creating anything, and keeps the entry."""
    from mlflow import MlflowClient

    client = MlflowClient(f"sqlite:///{store / 'mlflow.db'}")
    client.delete_experiment(client.create_experiment("team-gone"))
    outbox = store / "outbox"
    entry = write_entry(outbox, spec(), experiment="team-gone", reason="t")
    result = credit(["sync"], store.parent)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "'team-gone' is deleted" in result.stderr and "experiments restore" in result.stderr
    assert _runs(store / "mlflow.db") == []
    assert entries(outbox) == [entry]


def test_an_entry_kept_for_another_store_is_not_synced_into_this_one(store: Path) -> None:
    """Trained against a team server that was away; `credit sync` in the project without
    --mlflow-uri names the embedded store: the entry stays, and the line says where it goes."""
    outbox = store / "outbox"
    server = "http://127.0.0.1:5999"
    entry = write_entry(outbox, spec(), experiment="credit-risk", reason="t", store=server)
    result = credit(["sync"], store.parent)
    assert result.returncode == 2, result.stderr
    assert f"credit sync --mlflow-uri {server}" in result.stderr
    assert _runs(store / "mlflow.db") == []
    assert entries(outbox) == [entry]
