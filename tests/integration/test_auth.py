"""Against `mlflow server --app-name basic-auth`: credentials from the environment only,
a wrong password is one line with exit 4, and the password is written nowhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import credit
from tests.integration.conftest import make_project

from credit_mlops.ops.server import MlflowServer, ServerSpec, free_port

pytestmark = pytest.mark.integration
PASSWORD = "Cr3dit-Adm1n-Passw0rd"


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    folder = tmp_path_factory.mktemp("auth-server")
    spec = ServerSpec(folder=folder, port=free_port(), auth=True, admin_password=PASSWORD)
    server = MlflowServer(spec).start()
    try:
        yield server
    finally:
        server.stop()


def env_for(server: MlflowServer, data_file: Path, password: str) -> dict[str, str]:
    return {
        "MLFLOW_TRACKING_URI": server.spec.url,
        "MLFLOW_TRACKING_USERNAME": "admin",
        "MLFLOW_TRACKING_PASSWORD": password,
        "CREDIT_DATA__PATH": str(data_file),
    }


def test_wrong_password_is_one_line_exit_4(
    auth_server: MlflowServer, data_file: Path, tmp_path: Path
) -> None:
    project = make_project(tmp_path)
    wrong = "not-the-password-123"
    for command in (["train", "-m", "decision_tree", "--no-evaluate"], ["compare"]):
        result = credit(
            [*command, "--profile", "remote"],
            project,
            env_for(auth_server, data_file, wrong),
            timeout=60,
        )
        assert result.returncode == 4, result.stderr
        lines = result.stderr.strip().splitlines()
        assert (
            lines[-1] == f"error: authentication failed for admin at {auth_server.spec.url}; "
            "check MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)"
        )
        assert wrong not in result.stderr + result.stdout
    assert not (project / ".credit" / "outbox").exists()  # refused before any training


def test_right_password_works_and_is_written_nowhere(
    auth_server: MlflowServer, data_file: Path, tmp_path: Path
) -> None:
    project = make_project(tmp_path)
    env = env_for(auth_server, data_file, PASSWORD)
    trained = credit(
        [
            "train",
            "--profile",
            "remote",
            "-m",
            "logistic_regression",
            "--cv-folds",
            "2",
            "--cv-repeats",
            "1",
            "--json",
        ],
        project,
        env,
    )
    assert trained.returncode == 0, trained.stderr[-2000:]
    run_id = json.loads(trained.stdout)["results"][0]["run_id"]
    shown = credit(["config", "show", "--profile", "remote"], project, env)
    compared = credit(["compare", "--profile", "remote", "--format", "json"], project, env)
    assert compared.returncode == 0
    outputs = trained.stdout + trained.stderr + shown.stdout + shown.stderr + compared.stdout
    assert PASSWORD not in outputs
    assert "********" in shown.stdout

    import os

    from mlflow import MlflowClient

    os.environ.update({"MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": PASSWORD})
    try:
        run = MlflowClient(tracking_uri=auth_server.spec.url).get_run(run_id)
    finally:
        os.environ.pop("MLFLOW_TRACKING_USERNAME")
        os.environ.pop("MLFLOW_TRACKING_PASSWORD")
    logged = json.dumps([run.data.params, run.data.tags, run.data.metrics])
    assert PASSWORD not in logged
    # the server's backend store, auth store (hashes only) and artifacts; the project folder
    needle = PASSWORD.encode()
    for root in (auth_server.spec.folder, project):
        for path in root.rglob("*"):
            if path.is_file():
                assert needle not in path.read_bytes(), path


def test_credit_tracking_password_reaches_the_server_like_mlflows(
    auth_server: MlflowServer, data_file: Path, tmp_path: Path
) -> None:
    """CREDIT_TRACKING__PASSWORD is the same setting as MLFLOW_TRACKING_PASSWORD, and wins."""
    project = make_project(tmp_path)
    base = {
        "MLFLOW_TRACKING_URI": auth_server.spec.url,
        "CREDIT_TRACKING__USERNAME": "admin",
        "CREDIT_DATA__PATH": str(data_file),
    }
    right = credit(
        ["compare", "--profile", "remote", "--format", "json"],
        project,
        {**base, "CREDIT_TRACKING__PASSWORD": PASSWORD, "MLFLOW_TRACKING_PASSWORD": "stale-one-1"},
        timeout=120,
    )
    assert right.returncode == 0, right.stderr
    wrong = credit(
        ["compare", "--profile", "remote"],
        project,
        {**base, "CREDIT_TRACKING__PASSWORD": "not-the-password-123"},
        timeout=120,
    )
    assert wrong.returncode == 4, wrong.stderr
    assert (
        wrong.stderr.strip().splitlines()[-1].startswith("error: authentication failed for admin")
    )
