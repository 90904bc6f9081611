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
