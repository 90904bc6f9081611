"""One `credit sync` at a time uploads an outbox: a second one, started while the first
holds the outbox's lock, says so in one line and exits 0 without touching the store."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from tests.conftest import credit
from tests.unit.train.test_outbox_sync import spec
from typer.testing import CliRunner

from credit_mlops.errors import InputError
from credit_mlops.train.outbox import entries, write_entry
from credit_mlops.train.sync import LOCK_FILE, OutboxBusy, outbox_lock


def _outbox(root: Path) -> tuple[Path, Path]:
    outbox = root / ".credit" / "outbox"
    outbox.mkdir(parents=True)
    entry = write_entry(outbox, spec(), experiment="credit-risk", reason="unreachable")
    return outbox, entry


def test_a_second_sync_finds_the_outbox_held_and_names_the_holder(tmp_path: Path) -> None:
    outbox, entry = _outbox(tmp_path)
    with outbox_lock(outbox):
        lock = outbox / LOCK_FILE
        assert lock.stat().st_mode & 0o777 == 0o600
        assert lock.read_text().strip() == str(os.getpid())
        assert entries(outbox) == [entry]  # the lock file is no entry
        held = f"another credit sync \\(process {os.getpid()}\\)"
        with pytest.raises(OutboxBusy, match=held), outbox_lock(outbox):
            pass
        other: list[BaseException] = []

        def from_a_thread() -> None:
            try:
                with outbox_lock(outbox):
                    pass
            except OutboxBusy as exc:
                other.append(exc)

        thread = threading.Thread(target=from_a_thread)
        thread.start()
        thread.join(10)
        assert len(other) == 1
    with outbox_lock(outbox):  # released with the first: the next sync takes it
        pass


def test_no_outbox_is_no_lock_and_no_folder(tmp_path: Path) -> None:
    with outbox_lock(tmp_path / "outbox"):
        pass
    assert not (tmp_path / "outbox").exists()


def test_a_link_as_the_lock_file_is_refused(tmp_path: Path) -> None:
    outbox, _ = _outbox(tmp_path)
    (outbox / LOCK_FILE).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="symbolic link"), outbox_lock(outbox):
        pass
    assert not (tmp_path / "elsewhere").exists()


def test_a_hard_link_as_the_lock_file_is_refused_and_its_file_kept(tmp_path: Path) -> None:
    outbox, _ = _outbox(tmp_path)
    precious = tmp_path / "precious.txt"
    precious.write_text("the user's own words\n")
    os.link(precious, outbox / LOCK_FILE)
    with pytest.raises(InputError, match="hard link"), outbox_lock(outbox):
        pass
    assert precious.read_text() == "the user's own words\n"


def test_credit_sync_while_another_holds_the_outbox_touches_nothing(project: Path) -> None:
    from credit_mlops.cli.main import app

    outbox, entry = _outbox(project)
    before = sorted(p.name for p in entry.iterdir())
    with outbox_lock(outbox):
        result = CliRunner().invoke(app, ["sync"])
        assert result.exit_code == 0, result.output
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "another credit sync" in lines[0], result.stderr
        assert "is uploading" in lines[0] and "nothing to do" in lines[0]
        done = credit(["sync", "--json"], project)  # a second real process
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "[]"
        assert f"another credit sync (process {os.getpid()}) is uploading" in done.stderr
        assert "Traceback" not in done.stderr
    assert not (project / ".credit" / "mlflow.db").exists()  # the store was never opened
    assert entries(outbox) == [entry] and sorted(p.name for p in entry.iterdir()) == before
