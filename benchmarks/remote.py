"""The team server: HTTP requests per `credit train` (through a counting proxy), fail-fast times."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

from harness import CREDIT, Bench, Project, clean_env, median, run


class CountingProxy:
    """A logging HTTP proxy in front of the tracking server: counts requests per endpoint."""

    def __init__(self, upstream: str) -> None:
        import http.server

        import requests

        self.requests: list[tuple[str, str]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def forward(self) -> None:
                body = self.body()
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "transfer-encoding")
                }
                resp = requests.request(
                    self.command, upstream + self.path, data=body, headers=headers, timeout=300
                )
                proxy.requests.append((self.command, self.path.split("?")[0]))
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() not in (
                        "content-length",
                        "transfer-encoding",
                        "content-encoding",
                        "connection",
                    ):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

            def body(self) -> bytes | None:
                """The request body, whole: artifact uploads come chunked."""
                if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
                    length = int(self.headers.get("Content-Length") or 0)
                    return self.rfile.read(length) if length else None
                parts = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        self.rfile.readline()  # the blank line after the last chunk
                        return b"".join(parts)
                    parts.append(self.rfile.read(size))
                    self.rfile.readline()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = forward

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def endpoint_kind(path: str) -> str:
    if "/mlflow-artifacts/" in path or path.endswith("/artifacts"):
        return "artifacts"
    if "registered-models" in path or "model-versions" in path:
        return "registry"
    if "logged-models" in path:
        return "logged models"
    if path == "/health":
        return "bookkeeping"
    return "bookkeeping"  # runs, experiments, log-batch, log-inputs, tags


def bench(b: Bench, project: Project, data: Path) -> None:
    import socket
    from collections import Counter

    from credit_mlops.ops.server import MlflowServer, ServerSpec, free_port

    folder = project.fresh("remote")
    server = MlflowServer(ServerSpec(folder=project.root / "server", port=free_port())).start()
    proxy = CountingProxy(server.spec.url)
    try:
        env = clean_env(MLFLOW_TRACKING_URI=proxy.url, CREDIT_DATA__PATH=str(data))
        counts, walls = [], []
        for _ in range(b.repeats):
            proxy.requests.clear()
            out = run(
                [CREDIT, "train", "--profile", "remote", "-m", "logistic_regression", "--json"],
                folder,
                env,
            )[2]
            walls.append(json.loads(out)["timings"]["logging"])
            counts.append(list(proxy.requests))
        last = counts[-1]
        by_kind = Counter(endpoint_kind(path) for _, path in last)
        by_endpoint = Counter(f"{m} {p}" for m, p in last if endpoint_kind(p) not in ("artifacts",))
        b.raw["remote_requests"] = counts
        bookkeeping = by_kind["bookkeeping"]
        b.add("remote", "requests of one credit train -m logistic_regression", f"{len(last)}")
        b.add(
            "remote",
            "  params, metrics, tags and run bookkeeping",
            f"{bookkeeping}",
            "≤ 15",
            bookkeeping <= 15,
        )
        for kind in ("logged models", "registry", "artifacts"):
            b.add("remote", f"  {kind}", f"{by_kind[kind]}")
        for endpoint, n in sorted(by_endpoint.items()):
            b.add("remote endpoints", f"  {endpoint}", str(n))
        b.add(
            "remote", f"logging stage wall time (median of {b.repeats})", f"{median(walls):.2f} s"
        )
    finally:
        proxy.close()
        server.stop()

    # fail fast: nothing listening, and a server that accepts but never answers
    refused = f"http://127.0.0.1:{free_port()}"
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        quiet = f"http://127.0.0.1:{silent.getsockname()[1]}"
        for label, url in (("nothing listening", refused), ("never answers", quiet)):
            walls = []
            for _ in range(b.repeats):
                env = clean_env(MLFLOW_TRACKING_URI=url, CREDIT_DATA__PATH=str(data))
                start = time.perf_counter()
                done = subprocess.run(
                    [CREDIT, "train", "--profile", "remote", "-m", "decision_tree"],
                    cwd=folder,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                walls.append(time.perf_counter() - start)
                assert done.returncode == 3, done.stderr
            m = median(walls)
            b.add(
                "fail fast",
                f"credit train, {label}: exit 3 after (median)",
                f"{m:.1f} s",
                "≤ 10 s",
                m <= 10,
            )
