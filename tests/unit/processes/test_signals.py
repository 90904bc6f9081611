"""processes.signals: SIGINT blocked for what a block starts; work waited for in a thread."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from credit_mlops.processes.signals import in_own_thread, sigint_blocked, work_in_flight


@pytest.fixture(autouse=True)
def default_sigint() -> Iterator[None]:
    """Python's own handler, as in the `credit` script (whatever the runner installed)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_another_handler_is_left_alone() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with sigint_blocked():
        assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert in_own_thread(threading.get_ident) == threading.get_ident()  # run right here


def _blocked_in_child() -> bool:
    code = "print(open('/proc/self/status').read().split('SigBlk:')[1].split()[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return bool(int(out.stdout.strip(), 16) & (1 << (signal.SIGINT - 1)))


PENDING = """
import os, signal, time
from credit_mlops.processes.signals import sigint_blocked
try:
    with sigint_blocked():
        os.kill(os.getpid(), signal.SIGINT)  # pending while blocked
        time.sleep(0.05)
        print("held", flush=True)
    time.sleep(0.5)
    print("never", flush=True)
except KeyboardInterrupt:
    print("raised after the block", flush=True)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_process_started_in_the_block_has_sigint_blocked() -> None:
    with sigint_blocked():
        assert _blocked_in_child()
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert not _blocked_in_child()


def test_a_ctrl_c_while_blocked_is_raised_once_unblocked() -> None:
    """In a fresh interpreter: a thread of the test process could take the signal."""
    out = subprocess.run([sys.executable, "-c", PENDING], capture_output=True, text=True)
    assert out.stdout.split() == ["held", "raised", "after", "the", "block"], out.stderr


def test_in_own_thread_returns_the_value_and_raises_the_error() -> None:
    assert in_own_thread(lambda: 41 + 1) == 42
    with pytest.raises(ValueError, match="bad"):
        in_own_thread(lambda: int("bad"))
    assert not work_in_flight()


IN_FLIGHT = """
import os, signal, threading, time
from credit_mlops.processes.signals import in_own_thread, work_in_flight
done = threading.Event()
threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
try:
    in_own_thread(lambda: done.wait(5))
except KeyboardInterrupt:
    print("interrupted at once", work_in_flight(), flush=True)
done.set()
"""


def test_a_ctrl_c_interrupts_the_wait_not_the_work() -> None:
    out = subprocess.run([sys.executable, "-c", IN_FLIGHT], capture_output=True, text=True)
    assert out.stdout.split() == ["interrupted", "at", "once", "True"], out.stderr
