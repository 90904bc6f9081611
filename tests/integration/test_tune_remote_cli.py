"""`credit tune` processes sharing one study on the real PostgreSQL (a throwaway database
per module), logging to a real local MLflow store; unreachable storage through the CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest
from mlflow import MlflowClient
from optuna.trial import TrialState
from tests.conftest import CREDIT, project_with_store
from tests.integration.conftest import postgres_or_skip

from credit_mlops.ops.server import create_database, drop_database
from credit_mlops.tune.storage import StorageSpec, open_storage

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    postgres_or_skip()
    name = f"credit_tune_cli_{uuid.uuid4().hex[:12]}"
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


def finished(url: str, study: str) -> list[optuna.trial.FrozenTrial]:
    loaded = optuna.load_study(study_name=study, storage=open_storage(StorageSpec(url)))
    return [t for t in loaded.get_trials() if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]


def credit_env(data: Path, storage: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    env.update(
        CREDIT_DATA__PATH=str(data),
        CREDIT_TRAIN__SMOTE="false",
        CREDIT_TUNE__STORAGE=storage,
        CREDIT_TUNE__HEARTBEAT_INTERVAL="1",
        CREDIT_TUNE__GRACE_PERIOD="3",
    )
    return env


def test_two_credit_tune_processes_log_each_trial_once(
    database: str, tmp_path: Path, store_template: Path, data_file: Path
) -> None:
    project = project_with_store(tmp_path / "project", store_template)
    args = [str(CREDIT), "tune", "-m", "logistic_regression", "--folds", "2", "--trials", "8"]
    args += ["--study", "two-workers", "-q"]
    env = credit_env(data_file, database)
    workers = [
        subprocess.Popen(args, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=600) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [e.decode()[-1500:] for _, e in outputs]
    done = finished(database, "two-workers")
    assert len(done) == 8
    client = MlflowClient(f"sqlite:///{project / '.credit' / 'mlflow.db'}")
    exp = client.get_experiment_by_name("credit-risk")
    parents = client.search_runs([exp.experiment_id], "tags.`credit.kind` = 'tune'")
    assert len(parents) == 2  # one parent run per invocation
    children = client.search_runs([exp.experiment_id], "tags.`credit.kind` = 'tune_trial'")
    numbers = sorted(int(c.data.tags["optuna.trial_number"]) for c in children)
    assert numbers == sorted(t.number for t in done)  # each trial logged once, by its worker
    by_number = {t.number: t for t in done}
    for child in children:
        trial = by_number[int(child.data.tags["optuna.trial_number"])]
        assert float(child.data.params["model__C"]) == trial.params["C"]
        assert child.data.tags["mlflow.parentRunId"] in {p.info.run_id for p in parents}


def test_credit_tune_with_unreachable_storage_exits_3(tmp_path: Path, data_file: Path) -> None:
    project = project_with_store(tmp_path / "project", None)
    with socket.socket() as silent:  # accepts connections and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/credit_optuna"
        # The timeout only guards against a hang; the time taken is measured by benchmarks/tune.py.
        result = subprocess.run(
            [str(CREDIT), "tune", "-m", "logistic_regression"],
            cwd=project,
            env=credit_env(data_file, url),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 3, result.stderr
    assert result.stderr.count("error:") == 1 and "is unreachable" in result.stderr
    assert not (project / ".credit").exists()
