"""A worker ends with the process that started it: a real parent process killed with
SIGKILL takes its child along, whether the kernel tells the child (prctl, Linux) or the
child's own thread notices; a child whose parent ended before it could ask ends at once."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time

import pytest

from credit_mlops.ops.server_processes import alive

CHILD = """
import sys, time
from credit_mlops.processes.parent import end_with_parent
print("how", end_with_parent(int(sys.argv[1]), kernel=sys.argv[2] == "kernel", period=0.2),
      flush=True)
time.sleep(300)
"""
PARENT = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), sys.argv[2]])
print("child", child.pid, flush=True)
time.sleep(300)
"""


def _lines(fd: int, count: int, timeout: float) -> dict[str, str]:
    """`count` lines of two words read from the pipe `fd` within `timeout` seconds (a
    child that fails to start must fail the test, not hang it)."""
    deadline = time.monotonic() + timeout
    data = b""
    while data.count(b"\n") < count:
        left = deadline - time.monotonic()
        assert left > 0 and select.select([fd], [], [], left)[0], f"only {data!r} said"
        chunk = os.read(fd, 4096)
        assert chunk, f"the pipe ended after {data!r}"
        data += chunk
    return dict(line.split() for line in data.decode().splitlines()[:count])


def _gone_within(pid: int, timeout: float) -> bool:
    """Polls until `pid` no longer runs; False if it still runs after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize("mode", ["kernel", "thread"])
def test_a_child_ends_when_its_parent_is_killed(mode: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, mode], stdout=subprocess.PIPE)
    child = 0
    try:
        assert parent.stdout is not None
        said = _lines(parent.stdout.fileno(), 2, 60)
        child = int(said["child"])
        expected = mode if sys.platform.startswith("linux") else "thread"
        assert said["how"] == expected
        assert alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(30)
        assert _gone_within(child, 60), f"the child {child} outlived its parent"
    finally:
        parent.kill()
        parent.wait(30)
        if child and alive(child):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def test_a_child_whose_parent_already_ended_ends_at_once() -> None:
    """The parent died before the child could ask to be told: its parent pid is no longer
    the one recorded, so it sends itself SIGTERM."""
    code = (
        "import os, time\n"
        "from credit_mlops.processes.parent import end_with_parent\n"
        "end_with_parent(os.getppid() + 1_000_000)\n"
        "time.sleep(300)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], timeout=60, check=False)
    assert done.returncode == -signal.SIGTERM
