"""Ctrl-C around work that must not be torn mid-way: worker start-up and threaded C reads.

A terminal's Ctrl-C is SIGINT to the whole foreground process group. Two places need care:

- Worker processes: started while SIGINT is blocked in the starting thread, they inherit
  the blocked mask through fork and exec, so a Ctrl-C never raises in them (not even while
  they still import, before any handler of ours runs) and the parent alone decides to end
  them. A Ctrl-C reaching the parent meanwhile stays pending and is raised on unblocking.
- Work that must end whole once started, such as writing a run's end or logging one run:
  a Ctrl-C is held until it ends, then raised (`interrupts_deferred`, `interrupts_held`).
- A read whose C code runs in threads of its own (pandas' parallel CSV parser parses a
  memory map of the file in a thread pool): a KeyboardInterrupt unwinding the main thread
  mid-read can leave a parser thread on a released buffer, a segfault instead of exit 130.
  Such a read runs in a thread of its own (`in_own_thread`): the main thread only waits,
  so a Ctrl-C interrupts the wait at once and never unwinds through the read; the `credit`
  script then ends with os._exit (`work_in_flight`) rather than finalizing the interpreter
  under the read.

Standard library only; both do nothing outside the main thread or when SIGINT is not
Python's default handler (a command with its own handler, a test runner's, or ignored).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_reads: list[threading.Event] = []  # one per in_own_thread call, set when its work ends


def _default_handling() -> bool:
    return (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread: what it starts (processes, threads) inherits that."""
    if not _default_handling():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """A Ctrl-C during the block is held until it ends, then raised (KeyboardInterrupt).

    For the few calls that must finish once started, such as writing a run's final status
    after a first Ctrl-C. A handler, not a signal mask: a process-directed SIGINT may be
    delivered to any thread, but Python runs its handler in the main thread."""
    if not _default_handling():
        yield
        return
    held: list[int] = []
    with _handled(lambda signum, frame: held.append(signum)):
        yield
    if held:
        raise KeyboardInterrupt


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """A first Ctrl-C during the block is held until the block ends, then raised
    (KeyboardInterrupt); a second one is raised at once.

    For work that should end whole once started but may take a while (logging one run):
    one Ctrl-C lets it finish and is then honoured, never dropped; a user who insists stops
    it at once (the caller ends what it tore)."""
    if not _default_handling():
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame: object) -> None:
        if held:  # the second: at once, with Python's own handler back for what follows
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        held.append(signum)

    with _handled(hold):
        yield
    if held:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _handled(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """SIGINT handled by `handler` for the block, Python's own handler back after it."""
    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def in_own_thread(work: Callable[[], T]) -> T:
    """`work()` in a thread of its own, waited for; a Ctrl-C interrupts the wait (not the
    work, which goes on: `work_in_flight()` is then true). Errors are re-raised here.

    The wait is an Event's, not Thread.join: Python 3.11's join, interrupted, marks a
    running thread as stopped."""
    if not _default_handling():
        return work()
    box: dict[str, T] = {}
    errors: list[BaseException] = []
    finished = threading.Event()

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            finished.set()

    _reads.append(finished)
    threading.Thread(target=run, name="credit-read", daemon=True).start()
    while not finished.wait(0.05):  # interruptible; a KeyboardInterrupt leaves it in _reads
        pass
    _reads.remove(finished)
    if errors:
        raise errors[0]
    return box["value"]


def work_in_flight() -> bool:
    """A read of `in_own_thread` is still running (its wait was interrupted)."""
    return not all(finished.is_set() for finished in _reads)
