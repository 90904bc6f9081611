"""Ctrl-C and SIGKILL on real `credit` processes: a Ctrl-C while `credit train` logs is
honoured once the run being logged is whole (nothing trained is lost); a double Ctrl-C in
`credit tune` ends its parent run KILLED; trial runs carry their worker's process tag, and
whoever ends a dead worker's parent (sync, compare) ends its RUNNING trials too."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlflow import MlflowClient
from tests.conftest import credit, project_with_store
from tests.integration.processes import start

from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.tables import write_table

pytestmark = [pytest.mark.integration, pytest.mark.slow]
TUNE = ["tune", "-m", "logistic_regression", "--folds", "2"]


def _client(root: Path) -> MlflowClient:
    uri = f"sqlite:///{root / '.credit' / 'mlflow.db'}"
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _all_runs(root: Path) -> list:  # type: ignore[type-arg]
    client = _client(root)
    return [r for e in client.search_experiments() for r in client.search_runs([e.experiment_id])]


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:  # not created or migrated yet
        return 0


def test_ctrl_c_while_logging_keeps_the_logged_run_whole_and_the_rest_in_the_outbox(
    tmp_path: Path, store_template: Path
) -> None:
    root = project_with_store(tmp_path / "p", store_template)
    data = write_table(synthetic(1500, seed=3), root / "syn.asc")
    models = "decision_tree,logistic_regression,random_forest"
    args = ["train", "--data", str(data), "-m", models, "--cv-folds", "2", "--cv-repeats", "1"]
    proc = start([*args, "-q"], root, start_new_session=True)
    db = root / ".credit" / "mlflow.db"
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        if _count(db, "select count(*) from runs"):  # the first run is being logged
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # one Ctrl-C, as a terminal sends it
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.rstrip().endswith("error: interrupted"), stderr
    runs = _all_runs(root)
    assert runs and {r.info.status for r in runs} == {"FINISHED"}, stderr  # none half-written
    for run in runs:
        assert run.data.metrics and run.outputs.model_outputs, run.info.run_id  # whole
    assert f"{len(runs)} run(s) logged whole" in stderr
    entries = [p for p in (root / ".credit" / "outbox").iterdir() if (p / "run.json").exists()]
    assert len(runs) + len(entries) == 3  # every fitted model: logged, or kept to sync
    if entries:
        assert f"{len(entries)} fitted model(s) not logged, kept in the outbox" in stderr
        synced = credit(["sync"], root)
        assert synced.returncode == 0, synced.stderr
        assert {r.info.status for r in _all_runs(root)} == {"FINISHED"}
        assert len(_all_runs(root)) == 3


def test_a_double_ctrl_c_in_tune_ends_the_parent_run_killed(
    tmp_path: Path, store_template: Path, synthetic_file: Path
) -> None:
    root = project_with_store(tmp_path / "p", store_template)
    env = {"CREDIT_DATA__PATH": str(synthetic_file), "CREDIT_TRAIN__SMOTE": "false"}
    proc = start([*TUNE, "--trials", "500", "--folds", "4", "-q"], root, env)
    db = root / ".credit" / "mlflow.db"
    deadline = time.monotonic() + 300
    parent_sql = "select count(*) from tags where key = 'credit.kind' and value = 'tune'"
    trial_sql = "select count(*) from tags where key = 'credit.kind' and value = 'tune_trial'"
    while proc.poll() is None and time.monotonic() < deadline:
        if _count(db, parent_sql) and _count(db, trial_sql):  # a trial is logged: work runs
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)  # the second: stop at once
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr
    client = _client(root)
    exp = client.get_experiment_by_name("credit-risk")
    assert exp is not None
    [parent] = client.search_runs([exp.experiment_id], "tags.`credit.kind` = 'tune'")
    assert parent.info.status == "KILLED", stderr
    trials = client.search_runs([exp.experiment_id], "tags.`credit.kind` = 'tune_trial'")
    assert trials and all(
        t.data.tags["credit.process"] == parent.data.tags["credit.process"] for t in trials
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["term", "hangup"])
def test_sigterm_ends_tune_like_a_ctrl_c(
    tmp_path: Path, store_template: Path, synthetic_file: Path, sig: signal.Signals
) -> None:
    """A service manager's or `timeout`'s SIGTERM, or a closed terminal's SIGHUP, to the
    process alone: the worker stops after its running trial, ends its parent run KILLED and
    says so, exit 130."""
    root = project_with_store(tmp_path / "p", store_template)
    env = {"CREDIT_DATA__PATH": str(synthetic_file), "CREDIT_TRAIN__SMOTE": "false"}
    proc = start([*TUNE, "--trials", "500", "-q"], root, env)
    db = root / ".credit" / "mlflow.db"
    deadline = time.monotonic() + 300
    trial_sql = "select count(*) from tags where key = 'credit.kind' and value = 'tune_trial'"
    while proc.poll() is None and time.monotonic() < deadline and not _count(db, trial_sql):
        time.sleep(0.05)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "stopping after the running trial" in stderr, stderr
    client = _client(root)
    exp = client.get_experiment_by_name("credit-risk")
    assert exp is not None
    [parent] = client.search_runs([exp.experiment_id], "tags.`credit.kind` = 'tune'")
    assert parent.info.status == "KILLED", stderr
    assert not [r for r in _all_runs(root) if r.info.status == "RUNNING"]


def test_a_hangup_ignored_by_nohup_stays_ignored() -> None:
    """`nohup credit ...` means: outlive the terminal. The script keeps that choice."""
    code = (
        "import signal; signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
        "from credit_mlops.processes import interrupts\n"
        "interrupts.own_process()\n"
        "print(signal.getsignal(signal.SIGHUP) == signal.SIG_IGN)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "True", done.stderr


def _dead_process() -> str:
    """`<host>-<pid>` of a process of this host that has ended."""
    import socket

    done = subprocess.run(["true"], check=True)
    assert done.returncode == 0
    child = subprocess.Popen(["true"])
    child.wait()
    return f"{socket.gethostname()}-{child.pid}"


def _killed_worker_runs(root: Path, client: MlflowClient) -> tuple[str, str, str]:
    """What a tune worker killed with SIGKILL mid-trial leaves: its parent run and one trial
    run RUNNING (the trial without a process tag, as before trials carried one), and a trial
    of its own tagged with the dead process."""
    exp = client.get_experiment_by_name("credit-risk") or client.get_experiment(
        client.create_experiment(
            "credit-risk", artifact_location=(root / ".credit" / "artifacts").as_uri()
        )
    )
    dead = _dead_process()
    kind = "credit.kind"
    parent = client.create_run(
        exp.experiment_id,
        run_name="tune_logistic_regression_s",
        tags={kind: "tune", "credit.process": dead, "optuna.study": "s"},
    ).info.run_id
    untagged = client.create_run(
        exp.experiment_id,
        run_name="s-trial-0",
        tags={kind: "tune_trial", "mlflow.parentRunId": parent, "optuna.study": "s"},
    ).info.run_id
    tagged = client.create_run(
        exp.experiment_id,
        run_name="s-trial-1",
        tags={kind: "tune_trial", "mlflow.parentRunId": parent, "credit.process": dead},
    ).info.run_id
    return parent, untagged, tagged


@pytest.mark.parametrize("command", [["sync"], ["compare", "--all-runs"]])
def test_a_dead_workers_parent_and_trials_are_ended_killed(
    tmp_path: Path, store_template: Path, command: list[str]
) -> None:
    root = project_with_store(tmp_path / "p", store_template)
    client = _client(root)
    ids = _killed_worker_runs(root, client)
    assert {client.get_run(i).info.status for i in ids} == {"RUNNING"}
    done = credit(command, root)
    assert done.returncode == 0, done.stderr
    for run_id in ids:
        run = client.get_run(run_id)
        assert run.info.status == "KILLED", (run_id, done.stdout, done.stderr)
        assert "gone" in run.data.tags["credit.ended_by"]
    if command[0] == "compare":
        assert "note: ended 3 run(s) left RUNNING by a credit process that is gone" in done.stderr
        assert ids[0] in done.stderr
        again = credit(command, root)  # nothing left to end: nothing said
        assert "left RUNNING" not in again.stderr


def test_compare_leaves_the_runs_of_a_live_or_foreign_process_alone(
    tmp_path: Path, store_template: Path
) -> None:
    root = project_with_store(tmp_path / "p", store_template)
    client = _client(root)
    exp = client.get_experiment(
        client.create_experiment(
            "credit-risk", artifact_location=(root / ".credit" / "artifacts").as_uri()
        )
    )
    import socket

    alive = f"{socket.gethostname()}-{os.getpid()}"
    ids = [
        client.create_run(
            exp.experiment_id, tags={"credit.kind": "tune", "credit.process": p}
        ).info.run_id
        for p in (alive, "another-host-1")
    ]
    done = credit(["compare", "--all-runs"], root)
    assert done.returncode == 0, done.stderr
    assert {client.get_run(i).info.status for i in ids} == {"RUNNING"}
    assert "left RUNNING" not in done.stderr
