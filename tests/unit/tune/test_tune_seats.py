"""How many folds a worker fits at once: the machine's cores over the live workers, counted
by their seat files; seats of dead processes do not count."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from credit_mlops.tune.seats import folder_for, jobs, live_seats, seat


def other_seat(folder: Path, pid: int) -> Path:
    path = folder / f"{socket.gethostname()}-{pid}"
    path.touch()
    return path


def test_a_worker_alone_uses_every_core_and_two_share_them(tmp_path: Path) -> None:
    folder = tmp_path / "optuna.journal.workers"
    assert jobs(folder, cores_here=2) == 1  # no seat held: it cannot tell who else runs
    with seat(folder) as mine:
        assert mine is not None and mine.exists()
        assert live_seats(folder) == 1
        assert jobs(folder, cores_here=2) == 2
        assert jobs(folder, cores_here=4) == 4
        other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            other_seat(folder, other.pid)
            assert live_seats(folder) == 2
            assert jobs(folder, cores_here=2) == 1
            assert jobs(folder, cores_here=5) == 2
        finally:
            other.kill()
            other.wait()
        assert jobs(folder, cores_here=2) == 2  # the other worker is gone
    assert not mine.exists()


def test_a_killed_workers_seat_is_not_counted_and_is_removed(tmp_path: Path) -> None:
    folder = tmp_path / "w"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with seat(folder):
        stale = other_seat(folder, dead.pid)
        (folder / f"another-host-{os.getpid()}").touch()  # other hosts' workers: other cores
        assert live_seats(folder) == 1
        assert not stale.exists()
        assert jobs(folder, cores_here=2) == 2


def test_an_unwritable_folder_means_one_fold_at_a_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with seat(blocker / "workers") as mine:
        assert mine is None
        assert jobs(blocker / "workers", cores_here=8) == 1


def test_seats_live_beside_a_journal_or_in_the_project_for_a_database(tmp_path: Path) -> None:
    journal = str(tmp_path / ".credit" / "optuna.journal")
    assert folder_for(journal, tmp_path) == tmp_path / ".credit" / "optuna.journal.workers"
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/credit_optuna"
    assert folder_for(url, tmp_path) == tmp_path / ".credit" / "tune-workers"


@pytest.mark.parametrize("kind", ["file", "link"])
def test_a_file_or_link_in_the_seats_place_is_refused(tmp_path: Path, kind: str) -> None:
    """Never a silent worker without a seat, never stale seats removed in a folder a link
    names."""
    from credit_mlops.errors import InputError

    folder = tmp_path / "optuna.journal.workers"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    gone = elsewhere / f"{socket.gethostname()}-999999"  # looks like a stale seat
    gone.touch()
    if kind == "file":
        folder.write_text("x")
    else:
        folder.symlink_to(elsewhere)
    refused = pytest.raises(InputError, match="where the workers of a study keep their seats")
    with refused, seat(folder):
        pass
    assert gone.exists()
