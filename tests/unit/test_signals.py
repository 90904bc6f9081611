"""credit_mlops.signals: a Ctrl-C held over a block, and SIGINT blocked for what a block starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from credit_mlops.signals import ctrl_c_held, sigint_blocked


@pytest.fixture(autouse=True)
def default_sigint() -> Iterator[None]:
    """Python's own handler, as in the `credit` script (whatever the runner installed)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_a_ctrl_c_inside_the_block_is_raised_once_the_block_is_done() -> None:
    finished = False
    with pytest.raises(KeyboardInterrupt), ctrl_c_held():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs here: held, not raised
        finished = True
    assert finished
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_no_ctrl_c_no_interrupt() -> None:
    with ctrl_c_held():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_another_handler_is_left_alone() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with ctrl_c_held():
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    with sigint_blocked():
        assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def _blocked_in_child() -> bool:
    code = "print(open('/proc/self/status').read().split('SigBlk:')[1].split()[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return bool(int(out.stdout.strip(), 16) & (1 << (signal.SIGINT - 1)))


PENDING = """
import os, signal, time
from credit_mlops.signals import sigint_blocked
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
