"""The benchmark harness: run the real `credit` script in subprocesses, take medians, print
one table. Each area is a module of this folder with `bench(b, project, data)`; `run.py`
lists them.

Every figure is the median of several runs of the real `credit` script in a subprocess;
ratios are taken within the same run. The MLflow store of each run is a copy of one whose
schema was migrated once, so the first-use migration is reported apart.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
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


def descendants(pid: int) -> set[int]:
    """Every live descendant of `pid`, from /proc (zombies left out)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


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

    def _run(self) -> None:
        while not self._stop.is_set():
            tree = {self.pid, *descendants(self.pid)}
            self.peak_kb = max(self.peak_kb, sum(self._sample(pid) for pid in tree))
            self._stop.wait(0.1)

    def _sample(self, pid: int) -> int:
        """One process's resident kB now (0 once it is gone); subclasses record more."""
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0


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
    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.data.tables import write_table

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


def import_client_seconds() -> float:
    """Wall time of a process that only imports MLflow's client (the floor of any command)."""
    code = "from mlflow import MlflowClient"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=clean_env())
    return time.perf_counter() - start


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
