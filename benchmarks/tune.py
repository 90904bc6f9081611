"""`credit tune` wall time with one worker against two workers sharing the study (issue 9:
two workers take at most 0.6 of one worker's time), and how fast an unreachable tune storage
gives exit code 3 (target: within 10 s).

Each measurement runs the real `credit` script in a fresh project (a copy of a migrated
MLflow store, a new journal file), and each line shows the CPU seconds its processes used
beside the wall time, so that the reason for a ratio is visible:

- one worker: `credit tune --model KEY --trials N`; alone on the machine it fits
  `cores // live workers` folds at once (credit_mlops.tune.seats), i.e. every core;
- one worker fitting one fold at a time (the benchmark holds a second seat beside the
  journal), as every worker did before the seats;
- two processes started together on a new study, whose wall time ends when both have exited.
  A study searched by two workers takes another path (TPE samples trial n while trial n-1
  is still running), and where it settles the models may cost more to fit (more trees);
- two processes on exactly the one-worker study's parameter sets (enqueued in a new study):
  the same work, so its ratio to the one-fold-at-a-time worker is what splitting the trials
  gives. On a 2-core machine one worker already uses both cores, so a second worker on the
  same machine cannot halve its time; workers pay off on separate machines.

    python benchmarks/tune.py [--trials 40] [--model xgboost] [--repeats 1]

`bench(b, project, data)` is the same measurement as a section of the harness.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import CREDIT, Bench, Project, clean_env, data_file, median, render

SECTION = "tune"
STUDY = "bench"
JOURNAL = ".credit/optuna.journal"  # the local profile's tune.storage


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds until every worker has exited
    cpu: float  # user + system CPU seconds of all the workers (and their children)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _journal(project: Path) -> Any:
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    return JournalStorage(JournalFileBackend(str(project / JOURNAL)))


def _study(project: Path) -> tuple[str, list[dict[str, object]]]:
    """The study's direction and its trials' parameters in trial order."""
    import optuna

    study = optuna.load_study(study_name=STUDY, storage=_journal(project))
    trials = sorted(study.get_trials(deepcopy=False), key=lambda t: t.number)
    return study.direction.name.lower(), [dict(t.params) for t in trials]


def _enqueue(project: Path, params: list[dict[str, object]], direction: str) -> None:
    """A new study holding `params` as waiting trials: the workers run exactly those."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    (project / JOURNAL).parent.mkdir(exist_ok=True)
    study = optuna.create_study(
        storage=_journal(project),
        study_name=STUDY,
        direction=direction,  # type: ignore[arg-type]
    )
    for values in params:
        study.enqueue_trial(values)


def _other_seat(project: Path) -> Path:
    """A seat held by this (live) benchmark process beside the journal: a worker then counts
    two workers on the machine and fits one fold at a time, as every worker did before
    workers shared the cores (see credit_mlops.tune.seats)."""
    folder = Path(str(project / JOURNAL) + ".workers")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{socket.gethostname()}-{os.getpid()}"
    path.touch()
    return path


def _workers(project: Path, data: Path, model: str, trials: int, n: int) -> Timing:
    """`n` `credit tune` processes started together on one study."""
    env = clean_env(CREDIT_DATA__PATH=str(data))
    args = [CREDIT, "tune", "--model", model, "--trials", str(trials), "--study", STUDY, "-q"]
    cpu = _children_cpu()
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            args, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for _ in range(n)
    ]
    errors = [p.communicate()[1] for p in procs]
    wall = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    for proc, err in zip(procs, errors, strict=True):
        if proc.returncode != 0:
            raise SystemExit(f"credit tune failed ({proc.returncode}):\n{err}")
    return Timing(wall=wall, cpu=cpu)


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


def _shown(t: Timing) -> str:
    return f"{t.wall:.1f} s (CPU {t.cpu:.1f} s)"


def bench(
    b: Bench, project: Project, data: Path, *, model: str = "xgboost", trials: int = 40
) -> None:
    runs: dict[str, list[Timing]] = {"one": [], "one_core": [], "two": [], "same": []}
    for i in range(b.repeats):
        folder = project.fresh(f"tune1-{i}")
        runs["one"].append(_workers(folder, data, model, trials, 1))
        direction, params = _study(folder)
        folder = project.fresh(f"tune1core-{i}")
        seat = _other_seat(folder)
        runs["one_core"].append(_workers(folder, data, model, trials, 1))
        seat.unlink()
        runs["two"].append(_workers(project.fresh(f"tune2-{i}"), data, model, trials, 2))
        folder = project.fresh(f"tune2same-{i}")
        _enqueue(folder, params, direction)
        runs["same"].append(_workers(folder, data, model, trials, 2))
    med = {
        name: Timing(median([t.wall for t in ts]), median([t.cpu for t in ts]))
        for name, ts in runs.items()
    }
    ratio = med["two"].wall / med["one"].wall
    split = med["same"].wall / med["one_core"].wall
    b.add(
        SECTION,
        f"credit tune --model {model} --trials {trials}, one worker (folds on every core)",
        _shown(med["one"]),
    )
    b.add(SECTION, "the same, one worker fitting one fold at a time", _shown(med["one_core"]))
    b.add(SECTION, "a new study, two workers at once", _shown(med["two"]))
    b.add(SECTION, "two workers / one worker", f"{ratio:.2f}", "≤ 0.60", ratio <= 0.6)
    b.add(
        SECTION,
        "two workers on the one-worker study's parameter sets (same work)",
        _shown(med["same"]),
    )
    b.add(
        SECTION,
        "same work: two workers / one worker fitting one fold at a time",
        f"{split:.2f}",
        "≤ 0.60",
        split <= 0.6,
    )
    for silent in (False, True):
        seconds = _unreachable_seconds(project.fresh("tune-unreachable"), data, silent=silent)
        what = (
            "storage that accepts and never answers" if silent else "storage refusing connections"
        )
        b.add(SECTION, f"exit 3 on {what}", f"{seconds:.1f} s", "≤ 10 s", seconds <= 10)
    b.raw[SECTION] = {
        "model": model,
        "trials": trials,
        **{name: [[t.wall, t.cpu] for t in ts] for name, ts in runs.items()},
    }


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
