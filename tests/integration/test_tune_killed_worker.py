"""A `credit tune` worker killed with SIGKILL cannot end its own parent run: the next worker
on the study ends it as KILLED, and says so."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from mlflow import MlflowClient
from tests.conftest import CREDIT, project_with_store

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _parents(client: MlflowClient) -> list:  # type: ignore[type-arg]
    exp = client.get_experiment_by_name("credit-risk")
    if exp is None:
        return []
    return client.search_runs([exp.experiment_id], "tags.`credit.kind` = 'tune'")


def test_the_next_worker_ends_the_run_of_a_worker_killed_with_sigkill(
    tmp_path: Path, store_template: Path, data_file: Path
) -> None:
    project = project_with_store(tmp_path / "project", store_template)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    env.update(CREDIT_DATA__PATH=str(data_file), CREDIT_TRAIN__SMOTE="false")
    args = [str(CREDIT), "tune", "-m", "logistic_regression", "--folds", "2"]
    args += ["--study", "killed"]
    client = MlflowClient(f"sqlite:///{project / '.credit' / 'mlflow.db'}")
    first = subprocess.Popen(
        [*args, "--trials", "500", "-q"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not _parents(client) and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.5)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and anything it started
        first.wait(timeout=30)
    [orphan] = _parents(client)
    assert client.get_run(orphan.info.run_id).info.status == "RUNNING"

    second = subprocess.run(
        [*args, "--trials", "1"], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )
    assert second.returncode == 0, second.stderr[-2000:]
    ended = client.get_run(orphan.info.run_id)
    assert ended.info.status == "KILLED"
    assert "was gone" in ended.data.tags["credit.ended_by"]
    # the killed worker's parent, and its trial's run when the kill came in the middle of one
    exp = client.get_experiment_by_name("credit-risk")
    ended_runs = client.search_runs([exp.experiment_id], "tags.`credit.ended_by` LIKE '%gone%'")
    assert {r.info.status for r in ended_runs} == {"KILLED"}
    assert f"note: ended {len(ended_runs)} run(s)" in second.stderr
    assert orphan.info.run_id in second.stderr
    statuses = sorted(r.info.status for r in _parents(client))
    assert statuses == ["FINISHED", "KILLED"]  # the second worker's own run is untouched
