"""Which processes serve a server folder's store, when its `mlflow server` leader was killed
with SIGKILL and its worker serves on: found, reported, and stopped (never a foreign process).
Stand-ins: a program named `mlflow` that starts a `uvicorn` worker as mlflow does (the
artifacts folder in its environment), listening on a port, in its own process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from credit_mlops.errors import InputError
from credit_mlops.ops.server import free_port, port_open, write_pid
from credit_mlops.ops.server_processes import (
    ARTIFACTS_VARIABLE,
    alive,
    is_our_server,
    is_our_worker,
    port_in_use,
    running_server,
    server_state,
    stop_server,
)

pytestmark = pytest.mark.slow  # starts processes

WORKER = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('127.0.0.1', int(sys.argv[-1]))); s.listen(); time.sleep(300)\n"
)
LEADER = """#!{python}
import os, subprocess, sys, time
artifacts = sys.argv[sys.argv.index("--artifacts-destination") + 1]
port = sys.argv[sys.argv.index("--port") + 1]
env = dict(os.environ, {variable}=artifacts)
subprocess.Popen([sys.executable, "-c", {worker!r}, "uvicorn", "--port", port], env=env)
if "--with-foreign" in sys.argv:
    subprocess.Popen(["sleep", "300"])
time.sleep(300)
"""


class FakeServer:
    def __init__(self, tmp: Path, folder: Path, *extra: str) -> None:
        program = tmp / "bin" / "mlflow"
        program.parent.mkdir(exist_ok=True)
        program.write_text(
            LEADER.format(python=sys.executable, variable=ARTIFACTS_VARIABLE, worker=WORKER)
        )
        program.chmod(0o755)
        folder.mkdir(exist_ok=True)
        self.port = free_port()
        args = ["--artifacts-destination", str(folder / "artifacts"), "--port", str(self.port)]
        self.leader = subprocess.Popen(
            [str(program), "server", *args, *extra], start_new_session=True
        )
        write_pid(folder, self.leader.pid)
        deadline = time.monotonic() + 20
        while not port_open(self.port):
            assert time.monotonic() < deadline, "the stand-in worker never listened"
            time.sleep(0.1)

    def kill_leader(self) -> None:
        os.kill(self.leader.pid, signal.SIGKILL)
        self.leader.wait()

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.leader.pid, signal.SIGKILL)
        self.leader.wait()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "srv"


@pytest.fixture
def fake(tmp_path: Path, folder: Path) -> Iterator[FakeServer]:
    server = FakeServer(tmp_path, folder)
    yield server
    server.close()


def test_the_leader_and_its_worker_are_the_server(fake: FakeServer, folder: Path) -> None:
    state = server_state(folder)
    assert state.group == fake.leader.pid and len(state.pids) == 2
    assert not state.leader_died and state.port == fake.port
    (worker,) = [p for p in state.pids if p != fake.leader.pid]
    assert is_our_server(fake.leader.pid, folder) and is_our_worker(worker, folder)
    other = folder.parent / "other"
    assert not is_our_worker(worker, other) and server_state(other).processes == ()


def test_a_worker_left_by_a_killed_leader_is_reported_and_stopped(
    fake: FakeServer, folder: Path
) -> None:
    fake.kill_leader()
    state = server_state(folder)
    assert state.leader_died and state.group == fake.leader.pid and len(state.pids) == 1
    (worker,) = state.pids
    assert running_server(folder) == fake.leader.pid  # a new start is refused
    held = port_in_use(fake.port)
    assert f"in use by process {worker}, the tracking server of {folder.resolve()}" in held
    assert f"credit server stop --dir {folder.resolve()}" in held
    stopped = stop_server(folder)
    assert stopped.leader_died and stopped.groups == [fake.leader.pid]
    assert not alive(worker) and not port_open(fake.port)
    assert not (folder / "server.pid").exists()
    with pytest.raises(InputError, match="no tracking server runs on"):
        stop_server(folder)


def test_a_worker_is_found_without_its_pid_file(fake: FakeServer, folder: Path) -> None:
    fake.kill_leader()
    (folder / "server.pid").unlink()
    assert server_state(folder).leader_died
    stop_server(folder)
    assert not port_open(fake.port) and server_state(folder).processes == ()


def test_a_foreign_process_of_the_group_is_never_signalled(tmp_path: Path, folder: Path) -> None:
    fake = FakeServer(tmp_path, folder, "--with-foreign")
    try:
        deadline = time.monotonic() + 10
        while len(_group_members(fake.leader.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        fake.kill_leader()
        (worker,) = server_state(folder).pids
        (foreign,) = set(_group_members(fake.leader.pid)) - {worker}
        stop_server(folder)
        assert not alive(worker) and alive(foreign)
    finally:
        fake.close()


def test_a_pid_file_naming_a_live_foreign_process_is_left_alone(folder: Path) -> None:
    folder.mkdir()
    foreign = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        write_pid(folder, foreign.pid)
        with pytest.raises(InputError, match="not the tracking server started there"):
            stop_server(folder)
        assert alive(foreign.pid) and (folder / "server.pid").exists()
    finally:
        foreign.kill()
        foreign.wait()


def _group_members(group: int) -> list[int]:
    from credit_mlops.ops.server_processes import members

    return members(group)
