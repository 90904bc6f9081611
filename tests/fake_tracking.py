"""A real HTTP server on 127.0.0.1 that is no (working) MLflow tracking server, in a thread:
it answers every request with one fixed status and body, and `/health` as told."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Iterator

# 200 and JSON, but none of MLflow's API: fields it does not have, nulls, wrong types
GARBAGE = {"garbage": [1, 2, 3], "experiment": None, "runs": "x", "registered_models": 5}
# what a failing server says, with a secret in it that must never be shown
FAILURE = {
    "error_code": "INTERNAL_ERROR",
    "message": "database is locked (password=hunter2-secret) while writing run",
}


@contextlib.contextmanager
def serving(
    status: int,
    body: object,
    *,
    health: tuple[int, str] = (200, "OK"),
    content_type: str = "application/json",
) -> Iterator[str]:
    """The URL of a server answering `status` and `body` (JSON unless a str) to everything
    but `GET /health`, which answers `health`; stopped when the block ends."""
    payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            if size:
                self.rfile.read(size)
            if self.path.rstrip("/").endswith("/health"):
                code, data, kind = health[0], health[1].encode(), "text/plain"
            else:
                code, data, kind = status, payload, content_type
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
