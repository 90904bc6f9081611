"""A TCP service on 127.0.0.1, in a thread, where `--spark-master spark://...` points: one
that accepts and says nothing, answers garbage, answers HTTP or hangs up at once (none of
them a Spark master), or answers as Spark's RPC server does (a StreamFailure frame)."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

NOT_SPARK = ("silent", "garbage", "http", "closes")


def _string(text: bytes) -> bytes:
    return struct.pack(">i", len(text)) + text


def _serve(conn: socket.socket, mode: str) -> None:
    conn.settimeout(5)
    if mode == "closes":
        conn.close()
    elif mode == "garbage":
        conn.sendall(b"\x00\x01garbage\xff\xfe" * 8)
    elif mode == "http":
        with contextlib.suppress(OSError):
            conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    elif mode == "spark":  # what a standalone master answered, byte for byte (Spark 4)
        request = conn.recv(4096)
        stream = request[13:]
        body = _string(stream) + _string(b"Stream '%s' was not found." % stream)
        conn.sendall(struct.pack(">qb", 9 + len(body), 8) + body)
    # silent: holds the connection open and says nothing


@contextlib.contextmanager
def fake_master(mode: str) -> Iterator[str]:
    """The service's spark:// URL while the block runs; every connection closed after."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            held.append(conn)
            with contextlib.suppress(OSError):
                _serve(conn, mode)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"spark://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
        for conn in held:
            conn.close()
