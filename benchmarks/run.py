"""Speed figures for the issues' targets, printed as a table (`make bench`).

Every figure is the median of several runs of the real `credit` script in a subprocess;
ratios are taken within the same run. The MLflow store of each run is a copy of one whose
schema was migrated once, so the first-use migration is reported apart.

    python benchmarks/run.py [--repeats N] [--only help,train,...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CREDIT = str(BIN / "credit")
RESULTS = REPO / "benchmarks" / "results"


@dataclass
class Row:
    section: str
    what: str
    value: str
    target: str = ""
    verdict: str = ""


@dataclass
class Bench:
    repeats: int
    rows: list[Row] = field(default_factory=list)
    raw: dict[str, object] = field(default_factory=dict)

    def add(
        self, section: str, what: str, value: str, target: str = "", ok: bool | None = None
    ) -> None:
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        self.rows.append(Row(section, what, value, target, verdict))


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    env.update(extra)
    return env


class PeakRSS:
    """Peak resident memory of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self._tree():
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                except OSError:
                    continue
            self.peak_kb = max(self.peak_kb, total)
            self._stop.wait(0.1)


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak MiB of the process tree, stdout) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env=env or clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with PeakRSS(proc.pid) as mem:
        out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err}")
    return wall, mem.peak_kb / 1024, out


def median(values: list[float]) -> float:
    return statistics.median(values)


def data_file(workdir: Path) -> tuple[Path, str]:
    candidates = [
        os.environ.get("CREDIT_DATA__PATH"),
        str(REPO / "data" / "raw" / "SouthGermanCredit.asc"),
        str(REPO.parent / "shared" / "data" / "south-german-credit" / "SouthGermanCredit.asc"),
    ]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c), "real file"
    from credit_mlops.data.schema import synthetic, write_table

    return write_table(synthetic(1000, seed=0), workdir / "synthetic.asc"), "synthetic, 1000 rows"


class Project:
    """A throwaway project folder with the repo's configs and a migrated store template."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"

    def init_store(self) -> float:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"from mlflow import MlflowClient; MlflowClient('sqlite:///{self.template}')"
                ".search_experiments()",
            ],
            check=True,
            env=clean_env(MLFLOW_LOGGING_LEVEL="ERROR"),
            capture_output=True,
        )
        return time.perf_counter() - start

    def fresh(self, name: str) -> Path:
        folder = self.root / name
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(REPO / "configs", folder / "configs")
        (folder / ".credit").mkdir()
        shutil.copy(self.template, folder / ".credit" / "mlflow.db")
        return folder


def bench_startup(b: Bench, project: Project) -> None:
    folder = project.fresh("startup")
    cases: list[tuple[str, list[str], float]] = [
        ("credit --help", ["--help"], 0.3),
        ("credit train --help", ["train", "--help"], 0.3),
        ("credit config show", ["config", "show"], 0.6),
    ]
    n = max(5, b.repeats * 3)
    for label, args, target in cases:
        run([CREDIT, *args], folder)  # warm the page cache
        walls = [run([CREDIT, *args], folder)[0] for _ in range(n)]
        m = median(walls)
        b.raw[label] = walls
        b.add("start-up", f"{label} (median of {n})", f"{m:.3f} s", f"≤ {target} s", m <= target)


def bench_train(b: Bench, project: Project, data: Path) -> None:
    from credit_mlops.modeling.catalog import MODEL_KEYS

    singles: list[float] = []
    sums: list[float] = []
    peaks: list[float] = []
    stages: list[dict[str, float]] = []
    for i in range(b.repeats):
        folder = project.fresh(f"all-{i}")
        wall, peak, out = run(
            [CREDIT, "train", "--model", "all", "--data", str(data), "--json"], folder
        )
        report = json.loads(out)
        assert len(report["results"]) == 5 and all(
            r["registered_version"] for r in report["results"]
        )
        singles.append(wall)
        peaks.append(peak)
        stages.append(report["timings"])
        folder = project.fresh(f"separate-{i}")
        total = 0.0
        for key in MODEL_KEYS:
            total += run([CREDIT, "train", "--model", key, "--data", str(data), "--json"], folder)[
                0
            ]
        sums.append(total)
    ratios = [s / t for s, t in zip(singles, sums, strict=True)]
    b.raw.update(
        train_all=singles, train_separate_sum=sums, ratios=ratios, peaks_mib=peaks, stages=stages
    )
    b.add(
        "train",
        f"credit train --model all, one process (median of {b.repeats})",
        f"{median(singles):.1f} s",
    )
    b.add(
        "train", "five separate credit train --model KEY processes, summed", f"{median(sums):.1f} s"
    )
    b.add(
        "train",
        "ratio one process / sum of five (same run, median)",
        f"{median(ratios):.2f}",
        "≤ 0.50",
        median(ratios) <= 0.5,
    )
    b.add("train", "peak memory of --model all (process tree)", f"{median(peaks):.0f} MiB")
    for stage in stages[0]:
        values = [s.get(stage, 0.0) for s in stages]
        b.add("train stages", f"  {stage}", f"{median(values):.1f} s")


def import_client_seconds() -> float:
    """Wall time of a process that only imports MLflow's client (the floor of any command)."""
    code = "from mlflow import MlflowClient"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=clean_env())
    return time.perf_counter() - start


def bench_lifecycle(b: Bench, project: Project, data: Path) -> None:
    folder = project.fresh("lifecycle")
    args = [CREDIT, "train", "-m", "logistic_regression", "--data", str(data), "--no-register"]
    out = run([*args, "--cv-repeats", "1", "--json"], folder)[2]
    run_id = json.loads(out)["results"][0]["run_id"]
    db = folder / ".credit" / "mlflow.db"
    plain = (
        "from mlflow import MlflowClient\n"
        f"c = MlflowClient('sqlite:///{db}')\n"
        f"c.get_run('{run_id}')\n"
        "c.search_registered_models()\n"
    )
    n = max(5, b.repeats * 2)
    registers, promotes, imports, plains = [], [], [], []
    for i in range(n):
        imports.append(import_client_seconds())
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", plain], check=True, env=clean_env())
        plains.append(time.perf_counter() - start)
        registers.append(run([CREDIT, "register", run_id, "--name", "bench"], folder)[0])
        stage = "Staging" if i % 2 == 0 else "Production"
        promote = [CREDIT, "promote", "bench", str(i + 1), stage, "--force"]
        promotes.append(run(promote, folder)[0])
    floor = median(imports)
    b.raw.update(register=registers, promote=promotes, import_client=imports, plain=plains)
    b.add("lifecycle", f"import MLflow's client alone (median of {n})", f"{floor:.2f} s")
    b.add(
        "lifecycle",
        "plain MlflowClient: import, open the sqlite store, 2 lookups",
        f"{median(plains):.2f} s",
    )
    for label, walls in (
        ("credit register RUN_ID", registers),
        ("credit promote NAME V STAGE", promotes),
    ):
        m = median(walls)
        b.add(
            "lifecycle",
            f"{label} (median of {n})",
            f"{m:.2f} s",
            f"≤ import + 1 s ({floor + 1:.2f} s)",
            m <= floor + 1.0,
        )
        over = median([w - p for w, p in zip(walls, plains, strict=True)])
        b.add("lifecycle", f"  {label} minus the plain client (same run)", f"{over:+.2f} s")


def bench_predict(b: Bench, project: Project, data: Path) -> None:
    from credit_mlops.data.schema import FEATURES, synthetic

    folder = project.fresh("predict")
    run([CREDIT, "train", "-m", "xgboost", "--data", str(data), "--no-evaluate", "--json"], folder)
    rows = 100_000
    frame = synthetic(rows, seed=3)[list(FEATURES)]
    frame.insert(0, "id", range(rows))
    applicants = folder / "applicants.csv"
    frame.to_csv(applicants, index=False)
    walls, peaks, scoring = [], [], []
    for _ in range(b.repeats):
        args = [CREDIT, "predict", "xgboost", "-i", str(applicants), "-o", str(folder / "s.csv")]
        wall, peak, out = run([*args, "--json"], folder)
        walls.append(wall)
        peaks.append(peak)
        scoring.append(json.loads(out)["scoring_seconds"])
    m = median(walls)
    b.raw.update(predict_wall=walls, predict_peak=peaks, predict_scoring=scoring)
    b.add(
        "predict", f"credit predict, {rows:,} synthetic rows, whole command (median)", f"{m:.1f} s"
    )
    b.add(
        "predict",
        "throughput, whole command (imports and model load included)",
        f"{rows / m:,.0f} rows/s",
    )
    b.add(
        "predict",
        "throughput of scoring (read, validate, score, write)",
        f"{rows / median(scoring):,.0f} rows/s",
    )
    b.add("predict", "peak memory (process tree)", f"{median(peaks):.0f} MiB")


SEED_RUNS = """
import random, sys, time
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
uri, n = sys.argv[1], int(sys.argv[2])
keys = ["logistic_regression", "decision_tree", "random_forest", "svm", "xgboost"]
metrics = ["accuracy", "precision", "recall", "f1", "roc_auc", "average_precision",
           "geometric_mean"]
c = MlflowClient(uri)
exp = c.get_experiment_by_name("credit-risk")
exp_id = exp.experiment_id if exp else c.create_experiment("credit-risk")
rng = random.Random(0)
t0 = int(time.time() * 1000) - n * 60_000
for i in range(n):
    key = keys[i % 5]
    start = t0 + i * 60_000
    run = c.create_run(exp_id, run_name=f"train_{key}_{i}", start_time=start, tags={
        "model_name": key, "model_version": f"1.{i % 7}.0", "project": "credit-mlops",
        "team": "credit-risk", "script": "credit train", "git_commit": "%040x" % i,
        "timestamp": str(start), "profile": "local", "experiment_type": rng.choice(["a", "b"])})
    params = [Param(f"model__p{j}", str(rng.random())) for j in range(25)]
    params += [Param("model_key", key), Param("version", "1.0.0"), Param("cv_folds", "5"),
               Param("cv_repeats", "3"), Param("random_seed", "42"),
               Param("smote__used", "True"), Param("smote__method", "BorderlineSMOTE")]
    values = [Metric(f"{m}_{p}_{s}", rng.random(), start, 0) for m in metrics
              for p in ("test", "train") for s in ("mean", "std")]
    c.log_batch(run.info.run_id, metrics=values, params=params)
    c.set_terminated(run.info.run_id, "FINISHED", end_time=start + 30_000)
"""

PLAIN_LATEST = """
import sys
from mlflow import MlflowClient
c = MlflowClient(sys.argv[1])
exp = c.get_experiment_by_name("credit-risk")
seen, token, ids, size = set(), None, [], 25
while True:
    page = c.search_runs([exp.experiment_id], "", max_results=size,
                         order_by=["attributes.start_time DESC"], page_token=token)
    for run in page:
        key = run.data.tags.get("model_name")
        if key not in seen:
            seen.add(key)
            ids.append(run.info.run_id)
        if len(seen) == 5:
            break
    token = page.token
    size = min(size * 2, 1000)
    if len(seen) == 5 or not token:
        break
c.search_model_versions("run_id IN (%s)" % ", ".join(repr(i) for i in ids))
c.search_registered_models()
"""

PLAIN_ALL = """
import sys
from mlflow import MlflowClient
c = MlflowClient(sys.argv[1])
exp = c.get_experiment_by_name("credit-risk")
token, ids = None, []
while True:
    page = c.search_runs([exp.experiment_id], "", max_results=1000,
                         order_by=["attributes.start_time DESC"], page_token=token)
    ids += [r.info.run_id for r in page]
    token = page.token
    if not token:
        break
for i in range(0, len(ids), 100):
    c.search_model_versions("run_id IN (%s)" % ", ".join(repr(x) for x in ids[i:i + 100]))
"""


def bench_compare(b: Bench, project: Project, data: Path) -> None:
    n_runs = 2000
    folder = project.fresh("compare")
    uri = f"sqlite:///{folder / '.credit' / 'mlflow.db'}"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", SEED_RUNS, uri, str(n_runs)],
        check=True,
        env=clean_env(MLFLOW_LOGGING_LEVEL="ERROR"),
    )
    b.add(
        "compare",
        f"seed {n_runs} runs (40 params, 28 metrics, 10 tags, batched)",
        f"{time.perf_counter() - start:.0f} s",
    )
    n = max(5, b.repeats * 2)
    views = (
        ("credit compare (default view)", ["compare"], PLAIN_LATEST, 4.0),
        (
            "credit compare --all-runs --format csv",
            ["compare", "--all-runs", "--format", "csv"],
            PLAIN_ALL,
            None,
        ),
    )
    imports = [import_client_seconds() for _ in range(n)]
    b.add("compare", f"import MLflow's client alone (median of {n})", f"{median(imports):.2f} s")
    for label, args, plain, target in views:
        walls, floors = [], []
        for _ in range(n):
            walls.append(run([CREDIT, *args], folder)[0])
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", plain, uri], check=True, env=clean_env(), capture_output=True
            )
            floors.append(time.perf_counter() - t)
        m = median(walls)
        outside = median([(w - f) / w for w, f in zip(walls, floors, strict=True)])
        b.raw[label] = {"walls": walls, "mlflow_import_and_search": floors}
        b.add(
            "compare",
            f"{label} (median of {n})",
            f"{m:.2f} s",
            f"≤ {target} s" if target else "",
            (m <= target) if target else None,
        )
        b.add(
            "compare",
            "  MLflow import + the same search calls, plain client",
            f"{median(floors):.2f} s",
        )
        b.add(
            "compare",
            "  share of time outside MLflow's import and searches",
            f"{outside:.0%}",
            "< 20 %",
            outside < 0.20,
        )


class CountingProxy:
    """A logging HTTP proxy in front of the tracking server: counts requests per endpoint."""

    def __init__(self, upstream: str) -> None:
        import http.server

        import requests

        self.requests: list[tuple[str, str]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length")
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


def bench_remote(b: Bench, project: Project, data: Path) -> None:
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


SECTIONS: dict[str, Callable[..., None]] = {
    "startup": bench_startup,
    "train": bench_train,
    "lifecycle": bench_lifecycle,
    "predict": bench_predict,
    "compare": bench_compare,
    "remote": bench_remote,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default=",".join(SECTIONS))
    args = parser.parse_args()
    b = Bench(repeats=args.repeats)
    with tempfile.TemporaryDirectory(prefix="credit-bench-") as tmp:
        project = Project(Path(tmp))
        migrate = project.init_store()
        b.add(
            "store",
            "first use of an empty sqlite store (schema migration, once)",
            f"{migrate:.1f} s",
        )
        data, kind = data_file(Path(tmp))
        b.raw["data"] = kind
        for name in args.only.split(","):
            if name == "startup":
                bench_startup(b, project)
            else:
                SECTIONS[name](b, project, data)
    render(b, kind)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps({"rows": [r.__dict__ for r in b.rows], "raw": b.raw}, indent=2, default=str)
    )


def render(b: Bench, data_kind: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="credit-mlops benchmarks",
        caption=f"{os.cpu_count()} cores · data: {data_kind} · medians of runs",
    )
    for col in ("section", "what", "value", "target", ""):
        table.add_column(col, justify="right" if col in ("value", "target") else "left")
    for r in b.rows:
        style = "red" if r.verdict == "MISSED" else ("green" if r.verdict == "met" else "")
        table.add_row(
            r.section, r.what, r.value, r.target, f"[{style}]{r.verdict}[/]" if style else ""
        )
    Console(width=max(120, Console().width)).print(table)


if __name__ == "__main__":
    main()
