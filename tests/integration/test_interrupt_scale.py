"""Issue 12 part 6: Ctrl-C at scale, on a 1,000,000-row synthetic file.

A real `credit train` process (default SIGINT handling, its own process group) is interrupted
in each stage: reading (the file is open in the process: the CSV variant, whose read lasts
long enough to catch), cross-validation (its worker processes exist) and logging (the model's
files are in the store's artifact folder). Each stage is observed from outside (/proc and the
store), never through a hook in the code. The command must exit 130 within 5 s of the signal
with one line on stderr and no traceback, every process of its tree (collected from /proc
just before the signal) must be gone within those 5 s, and no run may be left RUNNING.

Ctrl-C is sent two ways: to the process group, as a terminal sends it (the workers receive
it too), and to the main process alone (`kill -INT PID`: the workers never see it, so the
command itself must end them). Logging has no worker processes; it is interrupted the
terminal's way only, which keeps the added CI time near two minutes.

Logging needs the fit first: logistic regression, --no-smote and 2x1 folds reach it in
reasonable time at 1M rows (about 40 s here on a quiet machine).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import credit, project_with_store, run_statuses
from tests.integration.processes import alive, cmdline, descendants, open_files, start

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROWS = 1_000_000
LIMIT_S = 5.0  # the bound: exit and every process gone, counted from the signal
WORKER_CPU_S = 3.0  # a fold at 1M rows takes far longer: the signal lands inside it
QUICK = ["-m", "logistic_regression", "--no-smote", "--cv-folds", "2", "--cv-repeats", "1"]


@pytest.fixture(scope="session")
def million(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same 1M synthetic applicants as Parquet and as CSV (made once)."""
    folder = tmp_path_factory.mktemp("million")
    files: dict[str, Path] = {}
    for fmt in ("parquet", "csv"):
        path = folder / f"million.{fmt}"
        args = ["data", "synth", "--rows", str(ROWS), "--output", str(path), "--seed", "1"]
        made = credit([*args, "--format", fmt], folder)
        assert made.returncode == 0, made.stderr
        files[fmt] = path
    return files


def _wait_for(proc: subprocess.Popen[str], ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 900
    while not ready():
        assert proc.poll() is None, f"the command ended (exit {proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"{what} never began"
        time.sleep(0.02)


def _reading(proc: subprocess.Popen[str], root: Path, data: Path) -> bool:
    return str(data.resolve()) in open_files(proc.pid)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _wchan(pid: int) -> str:
    """Where a process waits in the kernel (for a failure's message)."""
    try:
        return Path(f"/proc/{pid}/wchan").read_text() or "running"
    except OSError:
        return "gone"


def _cross_validating(proc: subprocess.Popen[str], root: Path, data: Path) -> bool:
    """Two pool workers, each past its start-up (~1.5 s of imports) and into its fold."""
    workers = [p for p in descendants(proc.pid) if "popen_loky" in cmdline(p)]
    return len(workers) >= 2 and all(_cpu_seconds(p) >= WORKER_CPU_S for p in workers)


def _logging(proc: subprocess.Popen[str], root: Path, data: Path) -> bool:
    return any((root / ".credit" / "artifacts" / "models").glob("*/artifacts/MLmodel"))


STAGES = {"reading": _reading, "cv": _cross_validating, "logging": _logging}
CASES = [
    ("reading", "csv", "group"),
    ("reading", "csv", "main"),
    ("cv", "parquet", "group"),
    ("cv", "parquet", "main"),
    ("logging", "parquet", "group"),
]


@dataclass
class Attempt:
    code: int | None  # None: still running LIMIT_S after the signal (then killed)
    exited: float
    gone: float
    tree: set[int]
    stderr: str
    waits: str  # where each process waited in the kernel, and Python's stacks, if it hung


def _attempt(root: Path, data: Path, stage: str, target: str, folder: Path) -> Attempt:
    stderr_file = folder / "stderr.txt"
    with stderr_file.open("w") as err:
        args = ["train", "--data", str(data), *QUICK, "--n-jobs", "2", "-q"]
        proc = start(
            args,
            root,
            {"PYTHONFAULTHANDLER": "1"},  # a hung process shows its Python stacks (SIGABRT)
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    code: int | None = None
    waits = ""
    try:
        _wait_for(proc, lambda: STAGES[stage](proc, root, data), stage)
        tree = descendants(proc.pid)
        sent = time.monotonic()
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(timeout=LIMIT_S)
        except subprocess.TimeoutExpired:
            waits = str({p: _wchan(p) for p in (proc.pid, *descendants(proc.pid))})
            os.kill(proc.pid, signal.SIGABRT)  # faulthandler writes every thread's stack
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        exited = time.monotonic() - sent
        while any(alive(p) for p in tree) and time.monotonic() - sent < LIMIT_S:
            time.sleep(0.02)
        gone = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return Attempt(code, exited, gone, tree, stderr_file.read_text(), waits)


@pytest.mark.parametrize(("stage", "fmt", "target"), CASES, ids=["-".join(c) for c in CASES])
def test_ctrl_c_at_one_million_rows_ends_the_whole_tree(
    tmp_path: Path,
    store_template: Path,
    million: dict[str, Path],
    stage: str,
    fmt: str,
    target: str,
) -> None:
    """One hang in many runs was seen once, in CI (the main thread in a kernel sleep, stderr
    still empty 5 s after the signal) and never again in 53 runs on purpose. Such a hang is
    reported with the process's Python stacks as a warning and the case is run once more;
    it fails if the hang comes back, or at once on any other fault."""
    attempt = _attempt(
        project_with_store(tmp_path / "p", store_template), million[fmt], stage, target, tmp_path
    )
    if attempt.code is None:
        warnings.warn(
            f"credit train was still running {LIMIT_S:.0f} s after Ctrl-C during {stage} "
            f"(kernel waits {attempt.waits}); its stderr and Python stacks: "
            f"{attempt.stderr[-6000:]}",
            stacklevel=1,
        )
        again = tmp_path / "again"
        again.mkdir()
        attempt = _attempt(
            project_with_store(again / "p", store_template), million[fmt], stage, target, again
        )
        root = again / "p"
    else:
        root = tmp_path / "p"
    stderr = attempt.stderr
    assert attempt.code is not None, (
        f"still running {LIMIT_S:.0f} s after Ctrl-C during {stage}, twice "
        f"(kernel waits {attempt.waits}); stderr and Python stacks: {stderr[-6000:]}"
    )
    print(
        f"{stage}/{target}: exit {attempt.exited:.2f} s, tree gone {attempt.gone:.2f} s "
        f"({len(attempt.tree)} children)"
    )
    assert attempt.code == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[-1] == "error: interrupted", stderr  # after notes of what logging kept
    assert all(line.startswith("note: ") for line in lines[:-1]), stderr
    tree = attempt.tree
    assert [p for p in tree if alive(p)] == [], [cmdline(p) for p in tree if alive(p)]
    runs = run_statuses(root)
    assert "RUNNING" not in runs.values(), runs
