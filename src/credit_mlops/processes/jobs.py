"""A job on a daemon thread whose result (or exception) the main thread collects later, and
which a Ctrl-C in the main thread can cancel: the thread, and any worker processes it
starts, are started with SIGINT blocked, so the interrupt only ever reaches the main thread.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from typing import Generic, TypeVar

from credit_mlops.processes.signals import sigint_blocked

R = TypeVar("R")
Progress = Callable[[str, str], None]  # (key, what) as each step starts
CANCEL_WAIT = 10.0  # seconds a cancelled run may take to unwind once its workers are killed


class Cancelled(Exception):
    """Raised inside an in-process run at its next step once the job was cancelled."""


class Job(Generic[R]):
    """`run(progress)` on a daemon thread; its result or its exception from `result()`.
    `pool`: the run starts worker processes (joblib's), whose resource trackers are started
    here first."""

    def __init__(
        self,
        run: Callable[[Progress], R],
        progress: Progress | None,
        *,
        pool: bool,
    ):
        self._run = run
        self._progress = progress
        self._cancelled = threading.Event()
        self._done = threading.Event()  # waited on, not Thread.join (see signals.in_own_thread)
        self._result: R | None = None
        self._error: BaseException | None = None
        self.started = time.perf_counter()
        self.seconds = 0.0  # the run's own wall time, start to end
        self._thread = threading.Thread(target=self._work, name="credit-job", daemon=True)
        if pool:
            from credit_mlops.processes.pools import start_trackers

            start_trackers()  # here: starting one from the thread would unblock SIGINT there
        with sigint_blocked():  # the thread, and the workers it starts, never take a Ctrl-C:
            self._thread.start()  # it reaches the main thread, which cancels the job

    def _step(self, key: str, kind: str) -> None:
        if self._cancelled.is_set():
            raise Cancelled
        if self._progress:
            self._progress(key, kind)

    def _work(self) -> None:
        # A cancelled job's pool is killed under joblib: its note on the tasks it dropped
        # would reach stderr after the command's one line.
        warnings.filterwarnings("ignore", r"\d+ tasks which were still being processed")
        try:
            if self._cancelled.is_set():  # cancelled before the folds began
                raise Cancelled
            self._result = self._run(self._step)
        except BaseException as exc:  # handed to the main thread by result()
            self._error = exc
        finally:
            self.seconds = time.perf_counter() - self.started
            self._done.set()

    def result(self) -> R:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def cancel(self, wait: float = CANCEL_WAIT) -> None:
        """Stop the run (kill the pool's workers; an in-process run stops at its next step)
        and wait up to `wait` seconds for the thread to unwind, so that nothing of it is
        still inside joblib when the caller (a test, or a later command in one process)
        starts the next pool. Waited on the event, so a second Ctrl-C still interrupts."""
        from credit_mlops.processes.pools import end_workers

        self._cancelled.set()
        if self._thread.is_alive():
            end_workers()
            self._done.wait(wait)
