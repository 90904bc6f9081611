"""The tracker's connection comes from the settings object: URI, credentials, HTTP policy.

CREDIT_TRACKING__PASSWORD, MLFLOW_TRACKING_PASSWORD and the profile reach MLflow the same
way (one settings field each), only for the length of a call, and MLflow failures become
our errors in one place.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from credit_mlops.config.loader import load_settings
from credit_mlops.errors import AuthError, TrackingError, TrackingUnreachableError
from credit_mlops.tracking.connection import Connection, Credentials, HttpPolicy, translate
from credit_mlops.tracking.open import connection


@pytest.mark.parametrize(
    "env",
    [
        {"MLFLOW_TRACKING_USERNAME": "ana", "MLFLOW_TRACKING_PASSWORD": "s3cret"},
        {"CREDIT_TRACKING__USERNAME": "ana", "CREDIT_TRACKING__PASSWORD": "s3cret"},
        {"MLFLOW_TRACKING_USERNAME": "ana", "CREDIT_TRACKING__PASSWORD": "s3cret"},
    ],
)
def test_credentials_from_either_variable_reach_mlflow_the_same_way(
    project: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    environ = connection(load_settings()).environ()
    assert environ["MLFLOW_TRACKING_USERNAME"] == "ana"
    assert environ["MLFLOW_TRACKING_PASSWORD"] == "s3cret"
    assert environ["MLFLOW_TRACKING_TOKEN"] is None


def test_credit_variable_wins_over_mlflows(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "from-mlflow")
    monkeypatch.setenv("CREDIT_TRACKING__TOKEN", "from-credit")
    assert connection(load_settings()).environ()["MLFLOW_TRACKING_TOKEN"] == "from-credit"


def test_profile_username_and_http_policy_reach_mlflow(project: Path) -> None:
    (project / "configs" / "team.toml").write_text(
        '[tracking]\nuri = "http://127.0.0.1:5999"\nusername = "bo"\nhttp_timeout = 9\n'
        "http_max_retries = 2\n"
    )
    conn = connection(load_settings("team"))
    environ = conn.environ()
    assert conn.uri == "http://127.0.0.1:5999"
    assert environ["MLFLOW_TRACKING_USERNAME"] == "bo"
    assert environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == "9"
    assert environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "2"


def test_scope_sets_the_environment_for_the_block_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "outer")
    before = dict(os.environ)
    conn = Connection(
        uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        experiment="e",
        http=HttpPolicy(timeout=7),
        credentials=Credentials(username="ana", password="inner"),
    )
    with conn.scope():
        import mlflow

        assert os.environ["MLFLOW_TRACKING_PASSWORD"] == "inner"
        assert os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == "7"
        assert mlflow.get_tracking_uri() == conn.uri
    assert dict(os.environ) == before
    assert mlflow.get_tracking_uri() != conn.uri


def test_credentials_are_never_shown() -> None:
    assert "s3cret" not in repr(Credentials("ana", "s3cret", "tok3n"))
    assert "tok3n" not in repr(Connection("http://x", "e", credentials=Credentials(token="tok3n")))


class _Refused(Exception):
    error_code = "UNAUTHENTICATED"


class ConnectionError(Exception):
    pass


def test_translate_maps_auth_network_and_other_failures() -> None:
    conn = Connection("http://u:pw@127.0.0.1:5999", "e", credentials=Credentials("ana"))
    auth = translate(_Refused("401"), conn)
    assert isinstance(auth, AuthError)
    assert auth.exit_code == 4
    assert str(auth).startswith("authentication failed for ana at http://127.0.0.1:5999;")
    try:
        try:
            raise ConnectionError("refused")
        except ConnectionError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        down = translate(outer, conn, partial_run_id="abc")
    assert isinstance(down, TrackingUnreachableError)
    assert down.exit_code == 3
    assert down.partial_run_id == "abc"
    other = translate(ValueError("boom\nmore"), conn)
    assert type(other) is TrackingError
    assert str(other) == "tracking at http://127.0.0.1:5999 failed: boom"
    assert "pw" not in str(auth) + str(down) + str(other)


def test_a_web_server_that_is_not_mlflow_is_named_as_such(tmp_path: Path) -> None:
    """A real HTTP server that is not MLflow (python -m http.server) on 127.0.0.1: the
    health check says the URI is wrong (exit 2) instead of a raw 404 page later."""
    import subprocess
    import sys
    import time

    import requests

    from credit_mlops.errors import NotATrackingServerError
    from credit_mlops.ops.server import free_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        with pytest.raises(NotATrackingServerError, match="not as an MLflow tracking server"):
            Connection(f"http://127.0.0.1:{port}/nested", "e").ping()
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize(
    "message",
    [
        "API request to endpoint /api/2.0/mlflow/experiments/get-by-name failed with error "
        "code 404 != 200. Response body: '<!DOCTYPE HTML>\n<html>'",
        "API request to /api/2.0/mlflow/runs/create failed: response body was not in a "
        "valid JSON format",
    ],
)
def test_an_answer_that_is_not_mlflows_api_is_one_line_exit_2(message: str) -> None:
    from credit_mlops.errors import NotATrackingServerError

    error = translate(RuntimeError(message), Connection("http://127.0.0.1:5999", "e"))
    assert isinstance(error, NotATrackingServerError) and error.exit_code == 2
    assert "\n" not in str(error) and "<" not in str(error)


def test_databricks_without_credentials_is_an_auth_error() -> None:
    error = translate(
        RuntimeError("Reading Databricks credential configuration failed with MLflow tracking"),
        Connection("databricks", "e"),
    )
    assert isinstance(error, AuthError) and "DATABRICKS_TOKEN" in str(error)


def test_a_server_gone_in_the_middle_of_an_answer_is_unreachable() -> None:
    """Killed while it wrote an answer: MLflow keeps only the network layer's words."""
    conn = Connection("http://127.0.0.1:5999", "e", credentials=Credentials(None))
    broken = RuntimeError(
        "API request to http://127.0.0.1:5999/api/2.0/mlflow/runs/get failed with exception "
        "('Connection broken: IncompleteRead(0 bytes read, 1595 more expected)', ...)"
    )
    gone = translate(broken, conn, partial_run_id="abc")
    assert isinstance(gone, TrackingUnreachableError) and gone.partial_run_id == "abc"
    assert "went away" in str(gone)
