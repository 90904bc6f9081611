"""Nothing lost: the server dies in the middle of `credit train`; after a restart,
`credit sync` leaves every run, param, metric, artifact and version on the server once."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from tests.conftest import CREDIT, credit
from tests.integration.conftest import make_project

from credit_mlops.modeling.catalog import SEED_KEYS
from credit_mlops.ops.server import MlflowServer, ServerSpec, free_port
from credit_mlops.train.outbox import entries

pytestmark = pytest.mark.integration
EXPERIMENT = "credit-risk-team"


def client(url: str):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=url, registry_uri=url)


def wait_for_first_run(url: str, train: subprocess.Popen[str], timeout: float = 300) -> None:
    """Poll the server until the train has created a run (it is logging now)."""
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    c = client(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert train.poll() is None, "train ended before the server could be killed"
        exp = c.get_experiment_by_name(EXPERIMENT)
        if exp is not None and c.search_runs([exp.experiment_id], max_results=1):
            return
        time.sleep(0.1)
    raise AssertionError("no run appeared on the server")


def test_server_killed_mid_train_then_sync(tmp_path: Path, data_file: Path) -> None:
    spec = ServerSpec(folder=tmp_path / "server", port=free_port())
    server = MlflowServer(spec).start()
    project = make_project(tmp_path / "project")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    env.update({"MLFLOW_TRACKING_URI": spec.url, "CREDIT_DATA__PATH": str(data_file)})
    train = subprocess.Popen(
        [str(CREDIT), "train", "--profile", "remote", "-m", "all", "--no-evaluate", "--json"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_first_run(spec.url, train)
        server.kill()  # SIGKILL to the whole group, in the middle of logging
        out, err = train.communicate(timeout=300)
    finally:
        if train.poll() is None:
            train.kill()
    assert train.returncode == 3, err[-2000:]  # docs/troubleshooting.md: the error's code
    report = json.loads(out)
    kept = [r for r in report["results"] if r["outbox"]]
    logged = [r for r in report["results"] if r["run_id"]]
    assert kept, "nothing went to the outbox"
    # the last two lines: what was kept and how it is sent, then the one error line
    note, error = err.strip().splitlines()[-2:]
    assert error.startswith(f"error: tracking server at {spec.url} ")
    assert "is unreachable" in error or "went away" in error
    outbox = project / ".credit" / "outbox"
    assert note == (
        f"note: {len(kept)} trained run(s) were kept in the outbox {outbox.resolve()}; "
        "`credit sync` sends them to the tracking store once it is back"
    )
    assert len(kept) + len(logged) == len(SEED_KEYS)
    assert len(entries(outbox)) == len(kept)

    server = MlflowServer(spec).start()  # back, on the same store and artifacts
    try:
        first = credit(["sync", "--profile", "remote", "--json"], project, env)
        assert first.returncode == 0, first.stderr[-2000:]
        # only our own lines: none of MLflow's ("INFO ... Waiting up to 300 seconds ...")
        assert "Waiting up to" not in first.stderr and "mlflow" not in first.stderr.lower()
        statuses = [r["status"] for r in json.loads(first.stdout)]
        # a run whose creation the dying server did not confirm is ended as an orphan
        assert [s for s in statuses if s != "ended"] == ["synced"] * len(kept)
        assert entries(outbox) == []  # (sync's lock file stays: it is no entry)
        again = credit(["sync", "--profile", "remote"], project, env)
        assert again.returncode == 0 and "nothing to sync" in again.stderr

        c = client(spec.url)
        exp = c.get_experiment_by_name(EXPERIMENT)
        runs = c.search_runs([exp.experiment_id], max_results=1000)
        finished = [r for r in runs if r.info.status == "FINISHED"]
        assert sorted(r.data.tags["model_name"] for r in finished) == sorted(SEED_KEYS)
        assert all(r.info.status in ("FINISHED", "FAILED") for r in runs)  # none left RUNNING
        for run in finished:
            assert run.data.params["model_key"] == run.data.tags["model_name"]
            assert "decision_threshold" in run.data.metrics
            files = {a.path for a in c.list_artifacts(run.info.run_id, "results")}
            assert files == {"results/model_results.json", "results/holdout.json"}
            logged_models = c.search_logged_models(
                experiment_ids=[exp.experiment_id],
                filter_string=f"source_run_id = '{run.info.run_id}'",
            )
            assert sorted(m.name for m in logged_models) == (
                ["model", "xgb_model_only"]
                if run.data.tags["model_name"] == "xgboost"
                else ["model"]
            )
        synced = [r for r in finished if r.data.tags.get("credit.synced") == "true"]
        assert len(synced) == len(kept)
        for key in SEED_KEYS:  # one registered version per model, none twice
            versions = c.search_model_versions(f"name='{key}'")
            assert len(versions) == 1, (key, [v.version for v in versions])
            assert versions[0].run_id in {r.info.run_id for r in finished}
    finally:
        server.stop()
        os.environ.pop("MLFLOW_HTTP_REQUEST_MAX_RETRIES", None)
