"""Ctrl-C while cross-validation workers run: time to exit 130 and to the last worker gone.

The issue's target: exit 130 within 5 s, every worker ended. SIGINT goes to the whole
process group, as a terminal's Ctrl-C does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from harness import CREDIT, Bench, Project, alive, clean_env, descendants, median

TARGET_S = 5.0


def once(folder: Path, data: Path) -> tuple[float, float, int]:
    """(seconds to exit, seconds until every worker is gone, exit code) of one Ctrl-C."""
    args = [CREDIT, "train", "--data", str(data), "-m", "svm,random_forest", "-q"]
    proc = subprocess.Popen(
        [*args, "--cv-folds", "5", "--cv-repeats", "3", "--n-jobs", "2"],
        cwd=folder,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        # default SIGINT handling: a child of a background shell would inherit SIG_IGN
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    workers: set[int] = set()
    while len(workers) < 2 and proc.poll() is None:
        time.sleep(0.2)
        workers = descendants(proc.pid)
    if proc.poll() is not None:
        raise SystemExit(f"credit train ended ({proc.returncode}) before its workers started")
    time.sleep(2.0)  # into the folds
    workers |= descendants(proc.pid)
    start = time.perf_counter()
    os.killpg(proc.pid, signal.SIGINT)
    code = proc.wait(timeout=300)
    exited = time.perf_counter() - start
    while any(alive(p) for p in workers) and time.perf_counter() - start < 300:
        time.sleep(0.05)
    return exited, time.perf_counter() - start, code


def bench(b: Bench, project: Project, data: Path) -> None:
    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.data.tables import write_table

    folder = project.fresh("interrupt")
    big = write_table(synthetic(6000, seed=5), folder / "big.asc")
    runs = [once(folder, big) for _ in range(b.repeats)]
    b.raw.update(interrupt=runs)
    exits = [r[0] for r in runs]
    gone = [r[1] for r in runs]
    codes = sorted({r[2] for r in runs})
    b.add(
        "interrupt",
        "Ctrl-C during CV: exit code",
        ", ".join(map(str, codes)),
        "130",
        codes == [130],
    )
    b.add(
        "interrupt",
        "Ctrl-C during CV: seconds to exit (median)",
        f"{median(exits):.2f} s",
        f"≤ {TARGET_S:.0f} s",
        median(exits) <= TARGET_S,
    )
    b.add(
        "interrupt",
        "Ctrl-C during CV: seconds until every worker is gone (median)",
        f"{median(gone):.2f} s",
        f"≤ {TARGET_S:.0f} s",
        median(gone) <= TARGET_S,
    )
