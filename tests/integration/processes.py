"""Real `credit` processes as a terminal runs them, and their process trees from /proc."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.conftest import CREDIT


def _terminal_sigint() -> None:
    """Ctrl-C as a terminal's job has it: a shell running the tests in the background (as a
    CI runner may) ignores SIGINT, and a child inheriting that would never see Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(
    args: list[str], cwd: Path, extra_env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.Popen[str]:
    """The installed script with a clean environment (plus `extra_env`) and default SIGINT
    handling."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    env.update(extra_env or {})
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [str(CREDIT), *args],
        cwd=cwd,
        env=env,
        preexec_fn=_terminal_sigint,
        text=True,
        **kwargs,
    )


def descendants(pid: int) -> set[int]:
    """Every live descendant of `pid` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
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
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def open_files(pid: int) -> set[str]:
    """The paths `pid` holds open (its /proc/PID/fd links)."""
    found: set[str] = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in fds:
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
    return found
