"""What a worker with no trial left to start waits for: the trials other workers are running.

A journal file has no heartbeats: a worker that is alive but stopped (SIGSTOP, Ctrl-Z) holds
its RUNNING trial, and the study's last slot with it, for as long as it stays stopped. The
waiting worker says once, on stderr, which trial it waits for and who runs it (a process on
this host, running or stopped as `/proc/<pid>/stat` says; a process of another host). When
every trial it waits for has been held by a stopped process for `tune.grace_period` seconds,
it stops waiting: the worker ends, the study not finished, and says how many trials are still
running elsewhere. A database storage needs no such bound: a stopped worker stops beating, and
after the same grace period its trial is failed and queued again (`workers.reap_dead`).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKER_ATTR = "credit.worker"  # a trial's worker, "<host>:<pid>" (set by `workers.run_worker`)


def process_state(pid: int) -> str | None:
    """The state letter of process `pid` of this host (`R`, `S`, `T` stopped, `Z` a zombie,
    ...), or None when it cannot be read (no such process, no /proc)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(errors="replace")
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()  # the name, in parentheses, may hold anything
    return fields[0] if fields else None


def is_stopped(pid: int) -> bool:
    """Whether process `pid` of this host is stopped (by a signal, or by a debugger)."""
    return process_state(pid) in ("T", "t")


@dataclass(frozen=True)
class Holder:
    """A RUNNING trial and the worker that holds it."""

    number: int
    pid: int | None  # its worker's process id, when it has named itself
    host: str  # its worker's host ("" when unnamed)
    stopped: bool  # a process of this host that is stopped

    def describe(self) -> str:
        if self.pid is None:
            return f"trial {self.number}, not yet named by its worker"
        if self.host != socket.gethostname():
            return f"trial {self.number}, run by process {self.pid} on host {self.host}"
        where = f"trial {self.number}, run by process {self.pid} on this host"
        if self.stopped:
            return (
                f"{where} (stopped: resume it with kill -CONT {self.pid}, or end it with "
                f"kill -KILL {self.pid} and run again)"
            )
        return where


def holders(study: Any) -> list[Holder]:
    """The study's RUNNING trials, each with its worker."""
    from optuna.trial import TrialState

    here = socket.gethostname()
    found = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        host, _, pid = str(trial.user_attrs.get(WORKER_ATTR, "")).rpartition(":")
        if not (pid.isascii() and pid.isdigit()):
            found.append(Holder(trial.number, None, "", stopped=False))
            continue
        stopped = host == here and is_stopped(int(pid))
        found.append(Holder(trial.number, int(pid), host, stopped=stopped))
    return found


class Waiter:
    """Says what the worker waits for (each trial once, and once more if its process is
    stopped), and tells it to give up when every trial it waits for has been held by a
    stopped process for `patience` seconds (None: never, as on a database storage)."""

    def __init__(
        self,
        patience: float | None,
        say: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.patience = patience
        self.say = say
        self.clock = clock
        self.said: set[tuple[int, bool]] = set()
        self.stuck_since: float | None = None
        self.held: list[Holder] = []  # what it waited for when it last looked

    def gives_up(self, study: Any) -> bool:
        """Look at the trials running elsewhere once more; True when it is time to end."""
        self.held = holders(study)
        for holder in self.held:
            if (holder.number, holder.stopped) not in self.said:
                self.said.add((holder.number, holder.stopped))
                self._say(f"note: waiting for {holder.describe()}")
        if not self.held or not all(h.stopped for h in self.held):
            self.stuck_since = None
            return False
        now = self.clock()
        if self.stuck_since is None:
            self.stuck_since = now
        if self.patience is None or now - self.stuck_since < self.patience:
            return False
        held = ", ".join(f"trial {h.number} by process {h.pid}" for h in self.held)
        self._say(
            f"note: stopped waiting after {self.patience:g} s (tune.grace_period): "
            f"{len(self.held)} trial(s) still running elsewhere, held by stopped processes "
            f"({held}); the study is not finished: run again once they are resumed or ended"
        )
        return True

    def _say(self, message: str) -> None:
        if self.say is not None:
            self.say(message)
