"""A write's temporary file carries its process id; the next write of the same target removes
those a gone process left, and nothing else."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import credit

from credit_mlops.files import write_text
from credit_mlops.link_loops import looping_part
from credit_mlops.temp_names import new_temp, remove_left_over


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid names no process now
    return child.pid


def test_the_temporary_file_is_named_for_this_process(tmp_path: Path) -> None:
    fd, name = new_temp(tmp_path / "out.csv")
    os.close(fd)
    assert Path(name).name.startswith(f".out.csv.{os.getpid()}.") and name.endswith(".tmp")


def test_a_gone_writers_file_is_removed_a_live_ones_and_the_users_kept(tmp_path: Path) -> None:
    dead = tmp_path / f".out.csv.{_dead_pid()}.abc_1234.tmp"
    live_child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".out.csv.{live_child.pid}.zzzz9999.tmp"
        mine = tmp_path / f".out.csv.{os.getpid()}.qwertyui.tmp"
        users = [
            tmp_path / ".out.csv.notes.tmp",  # no pid
            tmp_path / f".out.csv.{_dead_pid()}.tmp",  # no random part
            tmp_path / f".out.csv.{_dead_pid()}.abcdefgh.tmp.bak",
            tmp_path / f".other.csv.{_dead_pid()}.abcdefgh.tmp",  # another target's
        ]
        for path in (dead, live, mine, *users):
            path.write_text("x")
        target = tmp_path / "kept.txt"
        target.write_text("the user's")
        link = tmp_path / f".out.csv.{_dead_pid()}.linklink.tmp"
        link.symlink_to(target)
        write_text(tmp_path / "out.csv", "new\n")
        assert not dead.exists()
        assert live.exists() and mine.exists() and all(p.exists() for p in users)
        assert link.is_symlink() and target.read_text() == "the user's"  # never through a link
        assert (tmp_path / "out.csv").read_text() == "new\n"
    finally:
        live_child.kill()
        live_child.wait()


def test_nothing_to_remove_in_a_folder_that_cannot_be_listed(tmp_path: Path) -> None:
    assert remove_left_over(tmp_path / "missing" / "out.csv") == []


def test_a_loop_is_found_at_the_part_that_loops(tmp_path: Path) -> None:
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "a").symlink_to("b")
    assert looping_part(tmp_path / "a" / "x" / "y.csv") == tmp_path / "a"
    assert looping_part(tmp_path / "new.csv") is None


@pytest.mark.slow  # trains a model and scores 300,000 rows in real processes
def test_a_killed_predict_leaves_nothing_after_the_next_one(tmp_path: Path) -> None:
    """SIGKILL cannot be caught: the killed run's temporary file stays until the next write
    of the same output removes it."""
    big = tmp_path / "big.csv"
    made = credit(["data", "synth", "--rows", "300000", "-o", str(big)], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    store = tmp_path / "store"
    store.mkdir()
    env = {"CREDIT_TRACKING__STORE_DIR": str(store)}
    # A model to score with: the quickest to train.
    trained = credit(
        [
            "train",
            "--model",
            "logistic_regression",
            "--no-smote",
            "--cv-folds",
            "2",
            "--cv-repeats",
            "1",
            "-q",
            "--data",
            str(big),
        ],
        cwd=tmp_path,
        env=env,
    )
    assert trained.returncode == 0, trained.stderr
    out = tmp_path / "scores.csv"
    args = ["predict", "logistic_regression/1", "-i", str(big), "-o", str(out)]
    killed = subprocess.Popen(
        [str(Path(sys.executable).parent / "credit"), *args],
        cwd=tmp_path,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while killed.poll() is None and not list(tmp_path.glob(".scores.csv.*.tmp")):
            time.sleep(0.05)  # waits for the event (the temporary file), asserts no time
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait()
    left = list(tmp_path.glob(".scores.csv.*.tmp"))
    assert left and all(f".{killed.pid}." in p.name for p in left)
    again = credit(args, cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert list(tmp_path.glob(".scores.csv.*.tmp")) == []
    assert out.is_file()
