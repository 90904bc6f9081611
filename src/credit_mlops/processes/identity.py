"""Processes of this host named as `<host>-<pid>`: who logged a run or holds a seat, and
whether that process is gone (then whatever it left RUNNING can be ended by another)."""

from __future__ import annotations

import os
import socket


def alive(pid: int) -> bool:
    """Whether a process of this host with `pid` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def this_process() -> str:
    """This process as `<host>-<pid>` (a tune worker's seat, a run's `credit.process` tag)."""
    return f"{socket.gethostname()}-{os.getpid()}"


def gone(name: str) -> bool:
    """Whether `name` (`<host>-<pid>`) is a process of this host that no longer exists; a
    process of another host is never judged from here. A pid the system has given to a new
    process since counts as alive: nothing is ended on a doubt."""
    host, _, pid = name.rpartition("-")
    return host == socket.gethostname() and pid.isascii() and pid.isdigit() and not alive(int(pid))
