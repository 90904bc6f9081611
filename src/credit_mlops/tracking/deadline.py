"""A whole-request deadline for the HTTP requests sent to a tracking server.

MLflow's HTTP settings (MLFLOW_HTTP_REQUEST_TIMEOUT and its retries) bound each read from the
socket, not a request as a whole, and neither requests nor urllib3 has a whole-request
timeout: a server that sends its headers and then one byte a second keeps every read within
the timeout, and the command waits for as long as the body lasts. While a block runs inside
`bounded`, each request its thread sends gets a watchdog: once the deadline passes, the
sockets of that request (and of any retry of it) are shut down, which ends a blocked read at
once, and the request raises `AnswerTooSlow` (a requests Timeout, so MLflow wraps it as one).

Uploads of a file (an artifact), whose time grows with its size, keep the per-read bound
only; so do other threads (MLflow's upload pools) and the body of a streamed download.
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import requests

from credit_mlops.errors import TrackingUnreachableError

if TYPE_CHECKING:
    from credit_mlops.tracking.connection import HttpPolicy

_INSTALL = threading.Lock()
_users = 0  # blocks inside `bounded` now, in any thread
_local = threading.local()  # .seconds: this thread's deadline; .watch: its request now
_POLL = 0.1  # seconds between shutting down the sockets of a request past its deadline
_BACKOFF_MAX = 120  # urllib3's cap on one back-off


class AnswerTooSlow(requests.exceptions.Timeout):
    """A request to the tracking server did not finish within its whole-request deadline."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"the answer did not finish within {seconds} s")
        self.seconds = seconds


def too_slow(
    exc: BaseException, shown: str, partial_run_id: str | None
) -> TrackingUnreachableError:
    """The line for a request past its deadline (exit 3): the server is there, but its
    answer does not come in time."""
    seconds = getattr(exc, "seconds", "its deadline of")
    return TrackingUnreachableError(
        f"tracking server at {shown} does not finish its answer within {seconds} s; check "
        "the server and its network, or give it more time with tracking.http_timeout "
        "(CREDIT_TRACKING__HTTP_TIMEOUT)",
        partial_run_id=partial_run_id,
    )


def whole_request_seconds(http: HttpPolicy) -> int:
    """Each try may take one timeout to start answering and one more to finish; between
    tries, MLflow's client backs off (at most urllib3's cap, plus the jitter)."""
    pauses = sum(
        min(http.backoff_factor * 2**k + http.backoff_jitter, _BACKOFF_MAX)
        for k in range(http.max_retries)
    )
    return math.ceil(2 * http.timeout * (http.max_retries + 1) + pauses)


@contextlib.contextmanager
def bounded(seconds: int) -> Iterator[None]:
    """Every request this thread sends in the block finishes within `seconds` or raises
    `AnswerTooSlow`; requests' and urllib3's own code is restored when the last block (of
    any thread) ends."""
    global _users
    with _INSTALL:
        if _users == 0:
            _install()
        _users += 1
    outer = getattr(_local, "seconds", None)
    _local.seconds = seconds
    try:
        yield
    finally:
        _local.seconds = outer
        with _INSTALL:
            _users -= 1
            if _users == 0:
                _uninstall()


class _Watch:
    """One request's watchdog: after `seconds`, its connections' sockets are shut down (again
    every `_POLL` s, for a retry's new connection) until the request returns."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.connections: list[Any] = []
        self.expired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="credit-deadline", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self._done.wait(self.seconds):
            return
        self.expired = True
        while not self._done.is_set():
            for connection in list(self.connections):
                sock = getattr(connection, "sock", None)
                with contextlib.suppress(OSError):
                    if sock is not None:
                        sock.shutdown(socket.SHUT_RDWR)  # a blocked read returns at once
            self._done.wait(_POLL)

    def done(self) -> None:
        self._done.set()
        self._thread.join()  # at once: its waits end when `_done` is set


def _sends_a_file(request: requests.PreparedRequest) -> bool:
    return request.body is not None and not isinstance(request.body, bytes | str)


def _bounded_send(send: Callable[..., Any]) -> Callable[..., Any]:
    def bounded_send(
        session: requests.Session, request: requests.PreparedRequest, **kwargs: Any
    ) -> Any:
        seconds = getattr(_local, "seconds", None)
        if seconds is None or getattr(_local, "watch", None) is not None or _sends_a_file(request):
            return send(session, request, **kwargs)  # unbounded, or a redirect of a bounded one
        watch = _local.watch = _Watch(seconds)
        try:
            response = send(session, request, **kwargs)
        except Exception as exc:
            if watch.expired:
                raise AnswerTooSlow(seconds) from exc
            raise
        finally:
            _local.watch = None
            watch.done()
        if watch.expired:  # what was read may have been cut short by the shutdown
            response.close()
            raise AnswerTooSlow(seconds)
        return response

    bounded_send.original = send  # type: ignore[attr-defined]
    return bounded_send


def _watched_request(request: Callable[..., Any]) -> Callable[..., Any]:
    def watched_request(connection: Any, *args: Any, **kwargs: Any) -> Any:
        watch = getattr(_local, "watch", None)
        if watch is not None:
            watch.connections.append(connection)  # its socket exists once it is connected
        return request(connection, *args, **kwargs)

    watched_request.original = request  # type: ignore[attr-defined]
    return watched_request


def _install() -> None:
    from urllib3.connection import HTTPConnection

    requests.Session.send = _bounded_send(requests.Session.send)  # type: ignore[method-assign]
    HTTPConnection.request = _watched_request(HTTPConnection.request)  # type: ignore[method-assign]


def _uninstall() -> None:
    from urllib3.connection import HTTPConnection

    for owner, name in ((requests.Session, "send"), (HTTPConnection, "request")):
        patched = getattr(owner, name)
        setattr(owner, name, getattr(patched, "original", patched))
