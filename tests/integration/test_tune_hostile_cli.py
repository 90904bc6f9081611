"""`credit tune` processes against what a hostile test pass did: a worker stopped with SIGSTOP
mid-trial on a journal (the other worker says what it waits for and ends, exit 0, the study
unfinished), and a forged best trial value in the real PostgreSQL (exit 2, nothing trained)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState
from tests.conftest import CREDIT, credit, project_with_store
from tests.integration.conftest import postgres_or_skip

from credit_mlops.ops.server import create_database, drop_database
from credit_mlops.tune.storage import StorageSpec, open_storage
from credit_mlops.tune.workers import WORKER_ATTR

pytestmark = [pytest.mark.integration, pytest.mark.slow]
HOST = socket.gethostname()


def credit_env(data: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    env.update(CREDIT_DATA__PATH=str(data), CREDIT_TRAIN__SMOTE="false", **more)
    return env


def running_trials_of(journal: Path, pid: int) -> list[int]:
    if not journal.exists():
        return []
    storage = open_storage(StorageSpec(str(journal)))
    study = optuna.load_study(study_name="random_forest-roc_auc", storage=storage)
    held = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    return [t.number for t in held if t.user_attrs.get(WORKER_ATTR) == f"{HOST}:{pid}"]


def stop_outside_the_journal_lock(pid: int, journal: Path) -> None:
    """Stop the worker in its trial, not while it appends to the journal: stopped holding
    the journal's lock, its lock would be broken by the other worker after Optuna's grace
    period, and the resumed worker fail to release it (Optuna's limit, not the case here)."""
    lock = Path(f"{journal}.lock")
    for _ in range(1000):
        os.kill(pid, signal.SIGSTOP)
        while Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "T":
            time.sleep(0.001)  # stopped for good before the lock is looked at
        if not os.path.lexists(lock):
            return
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.005)
    raise AssertionError("the worker never left the journal's lock")


def test_a_worker_stopped_mid_trial_is_not_waited_for_for_ever(
    tmp_path: Path, data_file: Path
) -> None:
    project = project_with_store(tmp_path / "project", None)
    journal = project / "s.log"
    args = [str(CREDIT), "tune", "-m", "random_forest", "--folds", "3", "--trials", "3"]
    args += ["--mlflow-disable", "--storage", str(journal)]
    env = credit_env(data_file, CREDIT_TUNE__GRACE_PERIOD="2")
    a = subprocess.Popen(
        [*args, "-q"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not running_trials_of(journal, a.pid):  # its first trial, named, running
            assert time.monotonic() < deadline and a.poll() is None
            time.sleep(0.02)
        stop_outside_the_journal_lock(a.pid, journal)
        [held] = running_trials_of(journal, a.pid)  # stopped inside it (a trial takes seconds)
        started = time.monotonic()
        b = subprocess.run(
            [*args, "--json"], cwd=project, env=env, capture_output=True, text=True, timeout=300
        )
        took = time.monotonic() - started
        assert b.returncode == 0, b.stderr[-2000:]
        report = json.loads(b.stdout)["worker"]
        assert report["stopped_by"] == "waiting" and report["running_elsewhere"] == 1
        assert report["study_finished"] == 2 and len(report["trials"]) == 2
        waiting = [line for line in b.stderr.splitlines() if "waiting for trial" in line]
        assert waiting == [
            f"note: waiting for trial {held}, run by process {a.pid} on this host (stopped: "
            f"resume it with kill -CONT {a.pid}, or end it with kill -KILL {a.pid} and run "
            "again)"
        ]
        assert "note: stopped waiting after 2 s (tune.grace_period): 1 trial(s)" in b.stderr
        assert "Traceback" not in b.stderr and took < 240
        os.kill(a.pid, signal.SIGCONT)  # resumed: it finishes its trial, and the study
        out, err = a.communicate(timeout=300)
        assert a.returncode == 0, err.decode()[-2000:]
        assert "Study: 3 of 3 trials finished" in out.decode()
    finally:
        if a.poll() is None:
            os.killpg(a.pid, signal.SIGKILL)
            a.wait(timeout=30)


@pytest.fixture
def database() -> Iterator[str]:
    postgres_or_skip()
    name = f"fixt_tune_{uuid.uuid4().hex[:12]}"
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


def test_a_forged_infinite_best_value_in_postgresql_is_refused(
    database: str, tmp_path: Path, store_template: Path, data_file: Path
) -> None:
    project = project_with_store(tmp_path / "project", store_template)
    env = credit_env(data_file, CREDIT_TUNE__STORAGE=database)
    args = ["tune", "-m", "logistic_regression", "--folds", "2"]
    first = credit([*args, "--trials", "1", "--mlflow-disable", "-q"], project, env, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    study = optuna.load_study(
        study_name="logistic_regression-roc_auc", storage=open_storage(StorageSpec(database))
    )
    dist = FloatDistribution(0.001, 100.0, log=True)
    study.add_trial(
        optuna.trial.create_trial(params={"C": 0.5}, distributions={"C": dist}, value=float("inf"))
    )
    done = credit([*args, "--trials", "3", "--train"], project, env, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: study 'logistic_regression-roc_auc': its best trial 1 ")
    assert "the value inf is not a finite number" in line
    assert len(study.get_trials()) == 2  # nothing ran
    from mlflow import MlflowClient

    client = MlflowClient(f"sqlite:///{project / '.credit' / 'mlflow.db'}")
    exp = client.get_experiment_by_name("credit-risk")
    assert exp is None or client.search_runs([exp.experiment_id]) == []
