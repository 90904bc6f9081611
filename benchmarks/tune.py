"""`credit tune` wall time with one worker against two workers sharing the study (issue 9:
two workers take at most 0.6 of one worker's time), and how fast an unreachable tune storage
gives exit code 3 (target: within 10 s).

Each measurement runs the real `credit` script in a fresh project (a copy of a migrated
MLflow store, a new journal file): `credit tune --model KEY --trials N` once with one process,
then two processes started together on one study, whose wall time ends when both have exited.

    python benchmarks/tune.py [--trials 40] [--model xgboost] [--repeats 1]

`bench(b, project, data)` is the same measurement as a section of the harness.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from harness import CREDIT, Bench, Project, clean_env, data_file, median, render

SECTION = "tune"


def _workers(project: Path, data: Path, model: str, trials: int, n: int) -> float:
    """Wall seconds of `n` `credit tune` processes started together on one study."""
    env = clean_env(CREDIT_DATA__PATH=str(data))
    args = [CREDIT, "tune", "--model", model, "--trials", str(trials), "--study", "bench", "-q"]
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            args, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for _ in range(n)
    ]
    errors = [p.communicate()[1] for p in procs]
    wall = time.perf_counter() - start
    for proc, err in zip(procs, errors, strict=True):
        if proc.returncode != 0:
            raise SystemExit(f"credit tune failed ({proc.returncode}):\n{err}")
    return wall


def _unreachable_seconds(project: Path, data: Path, *, silent: bool) -> float:
    """Seconds until `credit tune` exits 3 on a storage URL nothing answers (refused) or
    that accepts connections and never speaks (silent)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        if silent:
            sock.listen(8)
        else:
            sock.close()
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/credit_optuna"
        env = clean_env(CREDIT_DATA__PATH=str(data), CREDIT_TUNE__STORAGE=url)
        start = time.perf_counter()
        result = subprocess.run(
            [CREDIT, "tune", "--model", "logistic_regression"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        wall = time.perf_counter() - start
    if result.returncode != 3:
        raise SystemExit(
            f"expected exit 3 on unreachable storage, got {result.returncode}:\n{result.stderr}"
        )
    return wall


def bench(
    b: Bench, project: Project, data: Path, *, model: str = "xgboost", trials: int = 40
) -> None:
    one = [_workers(project.fresh(f"tune1-{i}"), data, model, trials, 1) for i in range(b.repeats)]
    two = [_workers(project.fresh(f"tune2-{i}"), data, model, trials, 2) for i in range(b.repeats)]
    ratio = median(two) / median(one)
    b.add(
        SECTION,
        f"credit tune --model {model} --trials {trials}, one worker",
        f"{median(one):.1f} s",
    )
    b.add(SECTION, "the same study, two workers at once", f"{median(two):.1f} s")
    b.add(SECTION, "two workers / one worker", f"{ratio:.2f}", "≤ 0.60", ratio <= 0.6)
    for silent in (False, True):
        seconds = _unreachable_seconds(project.fresh("tune-unreachable"), data, silent=silent)
        what = (
            "storage that accepts and never answers" if silent else "storage refusing connections"
        )
        b.add(SECTION, f"exit 3 on {what}", f"{seconds:.1f} s", "≤ 10 s", seconds <= 10)
    b.raw[SECTION] = {"one": one, "two": two, "model": model, "trials": trials}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--model", default="xgboost")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project = Project(root)
        project.init_store()
        data, kind = data_file(root)
        b = Bench(repeats=args.repeats)
        bench(b, project, data, model=args.model, trials=args.trials)
        render(b, kind)


if __name__ == "__main__":
    main()
