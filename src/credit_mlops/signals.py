"""Ctrl-C around work that must not be torn mid-way: worker start-up and threaded C reads.

A terminal's Ctrl-C is SIGINT to the whole foreground process group. Two places need care:

- Worker processes: started while SIGINT is blocked in the starting thread, they inherit
  the blocked mask through fork and exec, so a Ctrl-C never raises in them (not even while
  they still import, before any handler of ours runs) and the parent alone decides to end
  them. A Ctrl-C reaching the parent meanwhile stays pending and is raised on unblocking.
- A read whose C code runs in threads of its own (pandas' parallel CSV parser parses a
  memory map of the file in a thread pool): a KeyboardInterrupt unwinding the main thread
  mid-read can leave a parser thread on a released buffer, a segfault instead of exit 130.
  There the Ctrl-C is held until the read returns (a few seconds at a million rows), then
  raised.

Standard library only; both do nothing outside the main thread or when SIGINT is not
Python's default handler (a command with its own handler, a test runner's, or ignored).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


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
def ctrl_c_held() -> Iterator[None]:
    """A Ctrl-C during the block is raised as KeyboardInterrupt once the block is done."""
    if not _default_handling():
        yield
        return
    held: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if held:
        raise KeyboardInterrupt
