"""A whole-request deadline for HTTP requests to a tracking server: a server that answers
one byte at a time (every read within the per-read timeout) is cut off, in one line with
exit 3, while a server that answers normally is read as before.

Real servers on 127.0.0.1 (tests/trickle_server.py); the bounds on time are generous ones
that only prove nothing hangs.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator

import pytest
import requests
from tests.trickle_server import trickling

from credit_mlops.errors import TrackingUnreachableError
from credit_mlops.tracking.connection import Connection, HttpPolicy, translate
from credit_mlops.tracking.deadline import AnswerTooSlow, bounded, whole_request_seconds

HANG = 120  # seconds: far beyond any deadline used here; reaching it means a hang


def finishes(call: Callable[[], object], seconds: int | None = None) -> BaseException | object:
    """What `call` returned or raised (inside `bounded(seconds)` if given, in a thread of its
    own), failing the test if it runs past HANG seconds."""
    outcome: list[object] = []

    def run() -> None:
        try:
            if seconds is None:
                outcome.append(call())
            else:
                with bounded(seconds):
                    outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), "the request did not end"
    return outcome[0]


@pytest.mark.parametrize(
    ("policy", "seconds"),
    [
        (HttpPolicy(), 17),  # 2 tries of 2 x 4 s, one back-off of 1 s
        (HttpPolicy(max_retries=0, timeout=1), 2),
        (HttpPolicy(max_retries=3, timeout=2, backoff_factor=2, backoff_jitter=0.5), 32),
        (HttpPolicy(max_retries=10, timeout=1, backoff_factor=60), 22 + 60 + 120 * 9),
    ],
)
def test_the_deadline_follows_the_http_settings(policy: HttpPolicy, seconds: int) -> None:
    assert whole_request_seconds(policy) == policy.deadline == seconds


@pytest.mark.parametrize("mode", ["body", "headers"])
def test_a_trickling_answer_ends_at_the_deadline(mode: str) -> None:
    with trickling(mode, health_ok=False) as url:
        raised = finishes(lambda: requests.get(url + "/api/x", timeout=1), 2)
    assert isinstance(raised, AnswerTooSlow), raised
    assert raised.seconds == 2


def test_retries_of_a_trickling_answer_end_at_the_deadline_too() -> None:
    from requests.adapters import HTTPAdapter
    from urllib3.util import Retry

    session = requests.Session()
    retry = Retry(total=3, read=3, connect=3, allowed_methods=None, backoff_factor=0)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    with trickling("headers", health_ok=False) as url:
        raised = finishes(lambda: session.get(url + "/api/x", timeout=1), 2)
    assert isinstance(raised, AnswerTooSlow), raised


class _Quick(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"ok": true}' * 10_000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def quick_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quick)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_normal_answer_is_read_whole_and_the_patch_is_gone_after(quick_server: str) -> None:
    send = requests.Session.send
    with bounded(2):
        assert requests.Session.send is not send
        with bounded(5):  # nested blocks: the inner deadline, then the outer one again
            answers = [requests.get(quick_server, timeout=2) for _ in range(20)]
        answers.append(requests.get(quick_server, timeout=2))
    assert {a.status_code for a in answers} == {200}
    assert {len(a.content) for a in answers} == {120_000}
    assert requests.Session.send is send
    assert [t for t in threading.enumerate() if t.name == "credit-deadline"] == []


def test_another_thread_and_a_file_upload_keep_the_per_read_bound(quick_server: str) -> None:
    from credit_mlops.tracking import deadline

    with bounded(2):
        assert deadline._local.seconds == 2
        seen: list[object] = []
        other = threading.Thread(
            target=lambda: seen.append(getattr(deadline._local, "seconds", None))
        )
        other.start()
        other.join()
        assert seen == [None]
    with open(__file__, "rb") as file:
        assert deadline._sends_a_file(requests.Request("PUT", quick_server, data=file).prepare())
    assert not deadline._sends_a_file(requests.Request("POST", quick_server, json={}).prepare())


def test_the_line_names_the_server_and_the_deadline() -> None:
    conn = Connection(uri="http://bob:pw@127.0.0.1:5739/x", experiment="e")
    wrapped = Exception("API request to ... failed with timeout exception")
    wrapped.__context__ = AnswerTooSlow(17)
    error = translate(wrapped, conn)
    assert isinstance(error, TrackingUnreachableError) and error.exit_code == 3
    assert str(error).startswith(
        "tracking server at http://127.0.0.1:5739/x does not finish its answer within 17 s; "
    )
    assert "tracking.http_timeout" in str(error) and "pw" not in str(error)


def test_the_health_check_of_a_trickling_server_ends_in_one_line() -> None:
    with trickling("body", health_ok=False) as url:
        conn = Connection(uri=url, experiment="e", http=HttpPolicy(max_retries=0, timeout=1))
        raised = finishes(conn.ping)
    assert isinstance(raised, TrackingUnreachableError), raised
    assert "does not finish its answer within 2 s" in str(raised)
