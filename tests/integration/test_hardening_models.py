"""Issue 13 cases that need a trained model: concurrent predicts writing one output, a model
whose run was deleted, duplicate ids. Real `credit` processes on a real sqlite store."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import CREDIT, credit, project_with_store

from credit_mlops.data import schema
from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.tables import write_table

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, store_template: Path) -> Path:
    """A project whose store holds logistic_regression v1 and decision_tree v1."""
    root = project_with_store(tmp_path_factory.mktemp("hardening"), store_template)
    syn = write_table(synthetic(400, seed=7), root / "syn.asc")
    args = ["train", "--data", str(syn), "-m", "logistic_regression,decision_tree", "-q"]
    result = credit([*args, "--cv-folds", "2", "--cv-repeats", "1", "--n-jobs", "1"], root)
    assert result.returncode == 0, result.stderr
    return root


def applicants(path: Path, n: int, tag: str, seed: int) -> Path:
    frame = synthetic(n, seed=seed).drop(columns=[schema.TARGET])
    frame.insert(0, "id", [f"{tag}-{i}" for i in range(n)])
    frame.to_csv(path, index=False)
    return path


def test_concurrent_predicts_to_one_output_leave_one_complete_result(
    trained: Path, tmp_path: Path
) -> None:
    """Case 1: each writer has its own temporary file; the output is one whole result."""
    sizes = {"a": 60_000, "b": 45_000, "c": 30_000}
    inputs = {
        t: applicants(tmp_path / f"{t}.csv", n, t, i) for i, (t, n) in enumerate(sizes.items())
    }
    out = tmp_path / "out" / "scored.csv"
    out.parent.mkdir()
    procs = [
        subprocess.Popen(
            [str(CREDIT), "predict", "logistic_regression", "-i", str(p), "-o", str(out), "-q"],
            cwd=trained,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in inputs.values()
    ]
    results = [(p.wait(timeout=900), *p.communicate()) for p in procs]
    for code, stdout, stderr in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr + stdout
    scored = pd.read_csv(out, keep_default_na=False)
    tags = set(scored["id"].str.split("-").str[0])
    assert len(tags) == 1, tags  # never rows of two inputs
    (tag,) = tags
    assert list(scored["id"]) == [f"{tag}-{i}" for i in range(sizes[tag])]
    assert scored["decision"].isin(["accept", "reject"]).all()
    assert [p.name for p in out.parent.iterdir()] == ["scored.csv"]  # no temporary left


def test_predict_with_a_model_whose_run_was_deleted_is_refused(
    trained: Path, tmp_path: Path
) -> None:
    """Case 11: a deleted training run is refused with exit 2, saying why and what to do."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{trained / '.credit' / 'mlflow.db'}")
    (mv,) = client.search_model_versions("name='decision_tree'")
    client.delete_run(mv.run_id)
    result = credit(
        [
            "predict",
            "decision_tree/1",
            "-i",
            str(applicants(tmp_path / "in.csv", 20, "x", 1)),
            "-o",
            str(tmp_path / "o.csv"),
        ],
        trained,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "deleted" in lines[0] and mv.run_id in lines[0] and "restore" in lines[0]
    assert not (tmp_path / "o.csv").exists()


def test_duplicate_ids_are_scored_with_a_warning(trained: Path, tmp_path: Path) -> None:
    """Case 11: duplicate values in the id column are reported with a count."""
    path = applicants(tmp_path / "dup.csv", 30, "d", 2)
    frame = pd.read_csv(path)
    frame.loc[[3, 4, 9], "id"] = "d-0"
    frame.loc[7, "id"] = "d-1"
    frame.to_csv(path, index=False)
    out = tmp_path / "scored.csv"
    result = credit(["predict", "logistic_regression", "-i", str(path), "-o", str(out)], trained)
    assert result.returncode == 0, result.stderr
    assert "warning: " in result.stderr
    assert "4 duplicate" in result.stderr and "'id'" in result.stderr
    assert result.stderr.count("\n") == 1, repr(result.stderr)  # the warning, no blank line
    assert len(pd.read_csv(out)) == 30  # every row scored, in order


def test_an_evaluation_run_that_fails_midway_is_not_left_running(
    tmp_path: Path, store_template: Path
) -> None:
    """Case 7's class (no run left RUNNING): the evaluation run is ended when logging fails."""
    import shutil

    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from credit_mlops.tracking.records import EvaluationRun
    from credit_mlops.tracking.runs import log_evaluation_run

    db = tmp_path / "mlflow.db"
    shutil.copy(store_template, db)
    client = MlflowClient(tracking_uri=f"sqlite:///{db}")
    exp = client.create_experiment("e", artifact_location=(tmp_path / "art").as_uri())
    # A metric name MLflow refuses: the batch fails after the run was created.
    evaluation = EvaluationRun(exp, "evaluate_x", {}, {"../bad": 1.0}, str(tmp_path))
    with pytest.raises(MlflowException):
        log_evaluation_run(client, evaluation)
    (run,) = client.search_runs([exp])
    assert run.info.status == "FAILED"


def test_a_second_ctrl_c_while_the_run_is_ended_still_ends_it_killed(
    tmp_path: Path, store_template: Path
) -> None:
    """Two Ctrl-C in a row: the second lands while the first is ending the run. It waits
    until the run's status is written, then ends the command: the run is KILLED, as after one."""
    import os
    import shutil
    import signal
    import time

    from mlflow import MlflowClient

    from credit_mlops.tracking.records import EvaluationRun
    from credit_mlops.tracking.runs import log_evaluation_run

    db = tmp_path / "mlflow.db"
    shutil.copy(store_template, db)
    real = MlflowClient(tracking_uri=f"sqlite:///{db}")
    exp = real.create_experiment("e", artifact_location=(tmp_path / "art").as_uri())

    class Interrupted:  # the real client, with a real SIGINT sent at the two moments
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def log_batch(self, *args: object, **kwargs: object) -> None:
            os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C, while logging
            time.sleep(5)

        def set_terminated(self, run_id: str, status: str) -> None:
            os.kill(os.getpid(), signal.SIGINT)  # the second, while the run is ended
            time.sleep(0.2)
            real.set_terminated(run_id, status)

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    evaluation = EvaluationRun(exp, "evaluate_x", {}, {"m": 1.0}, str(tmp_path))
    with pytest.raises(KeyboardInterrupt):
        log_evaluation_run(Interrupted(), evaluation)
    (run,) = real.search_runs([exp])
    assert run.info.status == "KILLED"
