"""The logged model's own decision, as a plain MLflow consumer calls it (issue targets below).

Per model key, trained and registered by `credit train`, then loaded with
`mlflow.pyfunc.load_model` in this process:
- one applicant with 4 reasons: p50 of `--calls` calls of `predict` (targets: logistic
  regression and scorecard <= 2 ms, xgboost <= 5 ms, ensemble <= 50 ms);
- a batch without reasons (target >= 250,000 rows/s) and with 4 reasons (>= 5,000 rows/s for
  xgboost and logistic regression);
and `mlflow models serve` (this environment, --env-manager local): one applicant per HTTP
request, p50. Take figures on a quiet machine only.

    python benchmarks/portable.py [--keys logistic_regression,xgboost] [--calls 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from harness import CREDIT, Bench, Project, clean_env, data_file, render

KEYS = ("logistic_regression", "xgboost", "scorecard", "ensemble")
ONE = {"logistic_regression": 2.0, "scorecard": 2.0, "xgboost": 5.0, "ensemble": 50.0}  # ms
BATCH_ROWS = 100_000
EXPLAINED_ROWS = {"logistic_regression": 5_000, "xgboost": 5_000}  # others: 200 rows
PLAIN_TARGET, EXPLAINED_TARGET = 250_000.0, 5_000.0


def train(folder: Path, data: Path, keys: tuple[str, ...]) -> str:
    """Train and register `keys` in the project at `folder`; its tracking URI."""
    env = clean_env(CREDIT_DATA__PATH=str(data), MLFLOW_LOGGING_LEVEL="ERROR")
    args = [str(CREDIT), "train", "-m", ",".join(keys), "--no-evaluate"]
    subprocess.run(args, cwd=folder, env=env, check=True, capture_output=True)
    return f"sqlite:///{folder / '.credit' / 'mlflow.db'}"


def applicants(rows: int) -> Any:
    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.data.schema import FEATURES

    return synthetic(rows, seed=11)[list(FEATURES)]


def p50_ms(fn: Any, calls: int) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def rows_per_s(fn: Any, rows: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return rows / statistics.median(times)


def in_process(uri: str, keys: tuple[str, ...], calls: int, repeats: int) -> list[dict[str, Any]]:
    import mlflow.pyfunc

    mlflow.set_tracking_uri(uri)
    batch = applicants(BATCH_ROWS)
    one = batch.head(1)
    out = []
    for key in keys:
        model = mlflow.pyfunc.load_model(f"models:/{key}/1")
        model.predict(one, params={"reasons": 4})  # builds the explainer once
        explained = batch.head(EXPLAINED_ROWS.get(key, 200))
        out.append(
            {
                "key": key,
                "one_ms": p50_ms(lambda m=model: m.predict(one, params={"reasons": 4}), calls),
                "plain": rows_per_s(
                    lambda m=model: m.predict(batch, params={"reasons": 0}), len(batch), repeats
                ),
                "explained": rows_per_s(
                    lambda m=model, x=explained: m.predict(x, params={"reasons": 4}),
                    len(explained),
                    repeats,
                ),
                "explained_rows": len(explained),
            }
        )
    return out


def served_ms(uri: str, key: str, requests: int) -> float:
    """p50 of one-applicant requests to `mlflow models serve` of `models:/key/1`."""
    from credit_mlops.ops.server import free_port

    port = free_port()
    mlflow = Path(sys.executable).parent / "mlflow"
    path = f"{mlflow.parent}{os.pathsep}{os.environ['PATH']}"  # it execs uvicorn from PATH
    process = subprocess.Popen(
        [str(mlflow), "models", "serve", "-m", f"models:/{key}/1", "--env-manager", "local",
         "-h", "127.0.0.1", "-p", str(port), "-w", "1"],
        env=clean_env(MLFLOW_TRACKING_URI=uri, PATH=path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{url}/ping", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"mlflow models serve did not start for {key}") from None
                time.sleep(0.5)
        split = json.loads(applicants(1).to_json(orient="split", index=False))
        body = json.dumps({"dataframe_split": split, "params": {"reasons": 4}}).encode()
        headers = {"Content-Type": "application/json"}

        def ask() -> None:
            request = urllib.request.Request(f"{url}/invocations", data=body, headers=headers)
            urllib.request.urlopen(request, timeout=30).close()

        ask()
        return p50_ms(ask, requests)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def bench(b: Bench, project: Project, data: Path, keys: tuple[str, ...] = KEYS) -> None:
    calls = int(os.environ.get("CREDIT_BENCH_CALLS", "1000"))
    uri = train(project.fresh("portable"), data, keys)
    for r in in_process(uri, keys, calls, b.repeats):
        key = r["key"]
        target = ONE.get(key)
        b.add(
            "portable",
            f"{key}: pyfunc predict, 1 applicant + 4 reasons (p50 of {calls:,})",
            f"{r['one_ms']:.2f} ms",
            f"≤ {target:g} ms" if target else "reported",
            None if target is None else r["one_ms"] <= target,
        )
        b.add(
            "portable",
            f"{key}: pyfunc batch of {BATCH_ROWS:,}, no reasons",
            f"{r['plain']:,.0f} rows/s",
            f"≥ {PLAIN_TARGET:,.0f}",
            r["plain"] >= PLAIN_TARGET,
        )
        explained_target = EXPLAINED_TARGET if key in EXPLAINED_ROWS else None
        b.add(
            "portable",
            f"{key}: pyfunc batch of {r['explained_rows']:,}, 4 reasons",
            f"{r['explained']:,.0f} rows/s",
            f"≥ {EXPLAINED_TARGET:,.0f}" if explained_target else "reported",
            None if explained_target is None else r["explained"] >= explained_target,
        )
    for key in ("scorecard", "logistic_regression"):
        if key in keys:
            ms = served_ms(uri, key, max(50, calls // 5))
            b.add("portable", f"mlflow models serve {key}: 1 applicant, p50", f"{ms:.1f} ms")
            break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keys", default=",".join(KEYS))
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ["CREDIT_BENCH_CALLS"] = str(args.calls)
    keys = tuple(k.strip() for k in args.keys.split(",") if k.strip())
    b = Bench(repeats=args.repeats)
    with tempfile.TemporaryDirectory(prefix="credit-bench-") as tmp:
        project = Project(Path(tmp))
        project.init_store()
        data, kind = data_file(Path(tmp))
        bench(b, project, data, keys)
    render(b, kind)


if __name__ == "__main__":
    main()
