"""A server that answers, but not as MLflow's API, or with errors of its own: real HTTP
servers on 127.0.0.1 (tests/fake_tracking.py), MLflow's own client, our one translation.

Garbage is never read as "nothing there"; a failing server is never called unreachable."""

from __future__ import annotations

import logging

import pytest
from tests.fake_tracking import FAILURE, GARBAGE, serving

from credit_mlops.errors import (
    NotATrackingServerError,
    TrackingError,
    TrackingUnreachableError,
)
from credit_mlops.tracking import answers
from credit_mlops.tracking.connection import Connection, Credentials, HttpPolicy, quiet_mlflow

FAST = HttpPolicy(max_retries=0, timeout=5, backoff_factor=0)


def client(url: str):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=url, registry_uri=url)


CALLS = {
    "experiment by name": lambda c: c.get_experiment_by_name("credit-risk"),
    "run search": lambda c: c.search_runs(["1"]),
    "version search": lambda c: c.search_model_versions("name='logistic_regression'"),
    "registered models": lambda c: c.search_registered_models(),
    "experiment search": lambda c: c.search_experiments(),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_garbage_json_is_never_read_as_an_empty_store(call: str) -> None:
    """200 and JSON that is not MLflow's: without the check, the version search answered
    "no versions" and the run search a protobuf traceback."""
    with serving(200, GARBAGE) as url:
        conn = Connection(url, "credit-risk", http=FAST)
        with pytest.raises(NotATrackingServerError) as caught, conn.guard():
            CALLS[call](client(url))
    line = str(caught.value)
    assert caught.value.exit_code == 2 and "\n" not in line
    assert line.startswith(f"tracking at {url} answers HTTP, but not as an MLflow tracking")
    assert "--mlflow-uri" in line


@pytest.mark.parametrize("body", ["<!DOCTYPE html><html>hello</html>", "just text", "[1, 2]"])
def test_an_answer_that_is_no_json_object_is_not_mlflow(body: str) -> None:
    with serving(200, body, content_type="text/html") as url:
        conn = Connection(url, "e", http=FAST)
        with pytest.raises(NotATrackingServerError), conn.guard():
            client(url).search_experiments()


def test_mlflows_own_empty_answers_still_read_as_empty() -> None:
    """`{}` is what MLflow answers for an empty search: the check must not refuse it."""
    with serving(200, {}) as url:
        conn = Connection(url, "e", http=FAST)
        with conn.guard():
            assert list(client(url).search_model_versions("name='x'")) == []
            assert list(client(url).search_runs(["1"])) == []


def test_mlflows_parser_is_its_own_again_after_the_block() -> None:
    from mlflow.utils import rest_utils

    before = rest_utils.parse_dict
    with Connection("http://127.0.0.1:9", "e").scope():
        assert rest_utils.parse_dict is not before
        with Connection("http://127.0.0.1:9", "e").scope():  # nested: still checked
            assert rest_utils.parse_dict is not before
        assert rest_utils.parse_dict is not before
    assert rest_utils.parse_dict is before


def test_every_call_failing_with_500_is_a_failing_server_not_an_unreachable_one() -> None:
    with serving(500, FAILURE) as url:
        conn = Connection(url, "e", http=FAST)
        conn.ping()  # /health answers OK
        with pytest.raises(TrackingError) as caught, conn.guard():
            client(url).get_experiment_by_name("credit-risk")
    error = caught.value
    assert type(error) is TrackingError and error.exit_code == 1
    assert not isinstance(error, TrackingUnreachableError)
    assert str(error) == (
        f"tracking server at {url} failed (HTTP 500: database is locked "
        "(password=********) while writing run); see its log"
    )


def test_a_post_that_fails_with_500_still_says_its_status() -> None:
    """A POST cannot be asked again to read its message: the status alone is said."""
    with serving(500, "upstream exploded", content_type="text/plain") as url:
        conn = Connection(url, "e", http=FAST)
        said = r"failed \(HTTP 500(: upstream exploded)?\)"
        with pytest.raises(TrackingError, match=said), conn.guard():
            client(url).create_experiment("x")


def test_health_answering_500_is_a_failing_server() -> None:
    health = (500, "token=abc12345 the store is down")
    with serving(200, {}, health=health) as url, pytest.raises(TrackingError) as caught:
        Connection(url, "e", http=FAST).ping()
    assert type(caught.value) is TrackingError and caught.value.exit_code == 1
    assert "HTTP 500: token=******** the store is down" in str(caught.value)
    assert "abc12345" not in str(caught.value)


def test_nothing_listening_stays_unreachable() -> None:
    from credit_mlops.ops.server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TrackingUnreachableError), Connection(url, "e", http=FAST).guard():
        client(url).search_experiments()


def test_a_servers_message_never_shows_a_secret() -> None:
    conn = Connection(
        "http://ana:pw-in-uri@127.0.0.1:5999?token=qtok123",
        "e",
        credentials=Credentials("ana", "s3cret-pass", "tok-3456789"),
    )
    said = answers.shown_message(
        "failed for s3cret-pass and tok-3456789 at http://ana:pw-in-uri@127.0.0.1:5999"
        "?token=qtok123, Authorization: Bearer abcdefghijkl, api_key='k-999999'\nsecond line",
        conn,
    )
    for secret in ("s3cret-pass", "tok-3456789", "pw-in-uri", "qtok123", "abcdefghijkl", "k-9"):
        assert secret not in said
    assert "second line" not in said and said.startswith("failed for ********")


def test_our_own_value_error_is_not_taken_for_a_misread_answer() -> None:
    """Only a failure raised under MLflow's REST reader means a foreign answer."""
    conn = Connection("http://127.0.0.1:5999", "e")
    with pytest.raises(ValueError, match="ours"), conn.guard():
        raise ValueError("ours")
    try:
        int("x")
    except ValueError as exc:
        assert not answers.misread(exc)


def test_registration_waits_are_not_logged_on_stderr(caplog: pytest.LogCaptureFixture) -> None:
    """`credit sync` printed MLflow's INFO "Waiting up to 300 seconds for model version"."""
    log = logging.getLogger("mlflow.store.model_registry.abstract_store")
    caplog.set_level(logging.INFO, logger=log.name)
    with quiet_mlflow():
        log.info("Waiting up to 300 seconds for model version to finish creation.")
        log.warning("kept: a warning still shows")
    log.info("after the block: shown again")
    shown = [r.getMessage() for r in caplog.records]
    assert shown == ["kept: a warning still shows", "after the block: shown again"]


def test_an_empty_id_from_a_server_is_a_foreign_answer_but_not_from_a_local_store() -> None:
    """MLflow's client checks an id a garbage answer left empty: from a server, that is the
    server; from a local store, it is no "answers HTTP" case."""
    from credit_mlops.tracking.connection import translate

    empty = RuntimeError("`model_id` must be a non-empty string, but got ''")
    remote = translate(empty, Connection("http://127.0.0.1:5999", "e"), partial_run_id="r1")
    assert isinstance(remote, NotATrackingServerError) and remote.partial_run_id == "r1"
    local = translate(empty, Connection("sqlite:///x.db", "e"))
    assert type(local) is TrackingError and "answers HTTP" not in str(local)
