"""A TCP server on 127.0.0.1, in a thread, that answers HTTP one byte at a time: every read
of its client gets a byte well within any timeout, and the answer never ends. `body` sends
the headers at once and then trickles a body of 100,000 announced bytes; `headers` trickles
the status line itself. `GET /health` may answer at once and whole (`health_ok`)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"


def _serve(conn: socket.socket, mode: str, health_ok: bool, stop: threading.Event) -> None:
    with conn, contextlib.suppress(OSError):
        asked = conn.recv(65536).split(b"\r\n", 1)[0]
        if health_ok and b" /health" in asked:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
            return
        if mode == "body":
            conn.sendall(HEADERS)
        pending = HEADERS if mode == "headers" else b" " * 100_000
        for byte in pending:
            if stop.wait(0.3):
                return
            conn.sendall(bytes([byte]))


@contextlib.contextmanager
def trickling(mode: str = "body", *, health_ok: bool = True) -> Iterator[str]:
    """The server's http:// URL while the block runs; every connection closed after."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()
    served: list[threading.Thread] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            thread = threading.Thread(
                target=_serve, args=(conn, mode, health_ok, stop), daemon=True
            )
            thread.start()
            served.append(thread)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        acceptor.join(5)
        for thread in served:
            thread.join(5)
        listener.close()
