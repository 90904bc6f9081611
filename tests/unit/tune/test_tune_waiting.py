"""A worker with no trial left to start says what it waits for, and on a journal (no
heartbeats) stops waiting for trials held by stopped processes after its patience: real
processes stopped with SIGSTOP, read from /proc."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import TrialState

from credit_mlops.tune.storage import StorageSpec, open_storage
from credit_mlops.tune.study import open_study
from credit_mlops.tune.waiting import Waiter, is_stopped, process_state
from credit_mlops.tune.workers import WORKER_ATTR, counts, reap_dead, run_worker

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
WORKER = Path(__file__).resolve().parents[2] / "integration" / "tune_worker.py"
HOST = socket.gethostname()


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process of this host that does nothing for a while (stopped by the tests)."""
    process = subprocess.Popen(["sleep", "300"])
    try:
        yield process
    finally:
        process.kill()  # SIGKILL ends a stopped process too
        process.wait(timeout=30)


def wait_for_state(pid: int, states: str) -> None:
    deadline = time.monotonic() + 10
    while process_state(pid) not in states:
        assert time.monotonic() < deadline, process_state(pid)
        time.sleep(0.01)


def test_the_state_of_a_process_is_read_from_proc(sleeper: subprocess.Popen[bytes]) -> None:
    assert process_state(os.getpid()) == "R"
    wait_for_state(sleeper.pid, "S")
    assert not is_stopped(sleeper.pid)
    os.kill(sleeper.pid, signal.SIGSTOP)
    wait_for_state(sleeper.pid, "T")
    assert is_stopped(sleeper.pid)
    os.kill(sleeper.pid, signal.SIGCONT)
    wait_for_state(sleeper.pid, "S")
    assert process_state(2**22 + 1) is None  # beyond pid_max: no such process


def held_study(tmp_path: Path, owner: str) -> Any:
    """A journal study with one RUNNING trial that `owner` ("host:pid") holds."""
    tmp_path.mkdir(exist_ok=True)
    storage = open_storage(StorageSpec(str(tmp_path / "j.log")))
    study = open_study(storage, "s", "maximize", seed=1)
    trial = study.ask()
    trial.set_user_attr(WORKER_ATTR, owner)
    return study


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_trial_held_by_a_stopped_process_is_waited_for_patience_seconds(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    study = held_study(tmp_path, f"{HOST}:{sleeper.pid}")
    said: list[str] = []
    clock = Clock()
    waiter = Waiter(30, said.append, clock)
    assert waiter.gives_up(study) is False  # running: waited for, however long
    assert said == [f"note: waiting for trial 0, run by process {sleeper.pid} on this host"]
    clock.now += 10_000
    assert waiter.gives_up(study) is False
    os.kill(sleeper.pid, signal.SIGSTOP)
    wait_for_state(sleeper.pid, "T")
    assert waiter.gives_up(study) is False  # stopped from now on
    assert said[1] == (
        f"note: waiting for trial 0, run by process {sleeper.pid} on this host (stopped: "
        f"resume it with kill -CONT {sleeper.pid}, or end it with kill -KILL {sleeper.pid} "
        "and run again)"
    )
    clock.now += 29
    assert waiter.gives_up(study) is False and len(said) == 2  # each note once
    os.kill(sleeper.pid, signal.SIGCONT)  # resumed: the count starts again
    wait_for_state(sleeper.pid, "S")
    assert waiter.gives_up(study) is False
    os.kill(sleeper.pid, signal.SIGSTOP)
    wait_for_state(sleeper.pid, "T")
    assert waiter.gives_up(study) is False  # seen stopped again: from now
    clock.now += 29
    assert waiter.gives_up(study) is False
    clock.now += 1
    assert waiter.gives_up(study) is True
    assert said[-1].startswith("note: stopped waiting after 30 s (tune.grace_period): 1 ")
    assert f"(trial 0 by process {sleeper.pid})" in said[-1] and len(said) == 3
    assert reap_dead(study) == []  # alive, only stopped: its trial is not taken over


def test_no_patience_or_another_host_waits_for_ever(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    os.kill(sleeper.pid, signal.SIGSTOP)
    wait_for_state(sleeper.pid, "T")
    clock = Clock()
    endless = Waiter(None, None, clock)  # a database storage: heartbeats decide
    study = held_study(tmp_path / "a", f"{HOST}:{sleeper.pid}")
    elsewhere = held_study(tmp_path / "b", f"other-host:{sleeper.pid}")
    said: list[str] = []
    remote = Waiter(2, said.append, clock)
    for _ in range(3):
        clock.now += 1000
        assert endless.gives_up(study) is False and remote.gives_up(elsewhere) is False
    assert said == [f"note: waiting for trial 0, run by process {sleeper.pid} on host other-host"]


def test_a_zombie_workers_trial_is_taken_over(tmp_path: Path) -> None:
    """A worker that ended but whose exit its parent has not collected yet is gone."""
    process = subprocess.Popen(["true"])
    wait_for_state(process.pid, "Z")
    try:
        study = held_study(tmp_path, f"{HOST}:{process.pid}")
        assert reap_dead(study) == [0]
    finally:
        process.wait(timeout=30)


@pytest.mark.slow
def test_a_worker_stops_waiting_for_a_worker_stopped_mid_trial(tmp_path: Path) -> None:
    """Real processes: worker A is stopped with SIGSTOP in its trial; worker B runs the
    other trials, says what it waits for, ends after its patience; A, resumed, finishes."""
    journal = tmp_path / "j.log"
    storage = open_storage(StorageSpec(str(journal)))
    open_study(storage, "s", "maximize", seed=7, attrs={"model_key": "toy"})
    out = tmp_path / "a.json"
    a = subprocess.Popen(
        [sys.executable, str(WORKER), str(journal), "s", "3", "2", str(out)],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:  # stopped once its trial is RUNNING and named
            assert time.monotonic() < deadline and a.poll() is None
            study = optuna.load_study(
                study_name="s", storage=open_storage(StorageSpec(str(journal)))
            )
            held = [t for t in study.get_trials(states=(TrialState.RUNNING,))]
            if any(t.user_attrs.get(WORKER_ATTR) == f"{HOST}:{a.pid}" for t in held):
                os.kill(a.pid, signal.SIGSTOP)
                break
            time.sleep(0.05)
        said: list[str] = []
        started = time.monotonic()
        result = run_worker(
            study,
            lambda t: -((t.suggest_float("x", -5.0, 5.0) - 1.0) ** 2),
            n_trials=3,
            poll=0.2,
            on_wait=said.append,
            patience=2,
        )
        took = time.monotonic() - started
        assert result.stopped_by == "waiting" and result.running_elsewhere == 1
        assert result.study_finished == 2 and len(result.trials) == 2
        assert 2 <= took < 30
        assert said[0].startswith("note: waiting for trial 0, run by process")
        assert f"{a.pid} on this host (stopped: resume it with kill -CONT {a.pid}" in said[0]
        assert said[-1].startswith("note: stopped waiting after 2 s") and len(said) == 2
        os.kill(a.pid, signal.SIGCONT)
        assert a.wait(timeout=120) == 0, a.stderr.read().decode() if a.stderr else ""
    finally:
        if a.poll() is None:
            a.kill()
            a.wait(timeout=30)
    done = json.loads(out.read_text())
    assert [t["number"] for t in done["trials"]] == [0] and done["study_finished"] == 3
    assert (
        counts(open_study(open_storage(StorageSpec(str(journal))), "s", "maximize", 7)).finished
        == 3
    )
