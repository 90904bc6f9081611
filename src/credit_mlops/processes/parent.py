"""Worker processes that end with the process that started them (`credit serve --workers N`).

A worker left behind by a parent killed with SIGKILL would go on serving, journaling and
holding the port. Each worker calls `end_with_parent(pid)` with its parent's pid, as the
parent recorded it before starting the worker:

- On Linux the kernel sends the worker SIGTERM the moment its parent ends
  (`prctl(PR_SET_PDEATHSIG)`); the worker then stops as on any SIGTERM (it finishes the
  requests in flight). The parent may have ended before the worker asked for that (the
  signal is only sent for a death after the call): so the worker then checks that its parent
  is still the one that started it (an orphan is adopted by another process, so its parent
  pid changes), and sends itself SIGTERM if not.
- Where prctl does not exist, a daemon thread of the worker makes that check once a second.

The kernel ties the signal to the thread that started the worker: workers must be started
from a thread that lives as long as the parent (uvicorn's supervisor starts them from its
main loop). Standard library only.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_ENV = "CREDIT_PARENT_PID"  # the parent's pid, as the parent recorded it


def end_with_parent(parent: int, *, kernel: bool = True, period: float = 1.0) -> str:
    """End this process (SIGTERM to itself) when `parent` ends, or now if it has already.

    Returns how the parent is watched: "kernel" (prctl), "thread" (a check every `period`
    seconds) or "gone" (the parent had already ended: SIGTERM was sent)."""
    if kernel and _death_signal(signal.SIGTERM):
        if os.getppid() != parent:  # ended before the kernel was asked to tell
            return _end()
        return "kernel"
    if os.getppid() != parent:
        return _end()
    threading.Thread(
        target=_watch, args=(parent, period), name="credit-parent-watch", daemon=True
    ).start()
    return "thread"


def end_with_recorded_parent() -> str | None:
    """`end_with_parent` for the pid in CREDIT_PARENT_PID; None when it is not set (a
    process not started as a worker) or not a pid."""
    recorded = os.environ.get(PARENT_ENV, "")
    return end_with_parent(int(recorded)) if recorded.isascii() and recorded.isdigit() else None


def _death_signal(signum: int) -> bool:
    """Ask the kernel for `signum` when the parent ends; False where prctl does not exist."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    prctl.argtypes = [ctypes.c_int, *[ctypes.c_ulong] * 4]
    prctl.restype = ctypes.c_int
    return bool(prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0)


def _watch(parent: int, period: float) -> None:
    while os.getppid() == parent:
        time.sleep(period)
    _end()


def _end() -> str:
    os.kill(os.getpid(), signal.SIGTERM)
    return "gone"
