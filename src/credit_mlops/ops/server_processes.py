"""The processes of a team tracking server: its pid file, which live processes serve a
folder's store (the `mlflow server` leader and the uvicorn or gunicorn workers it started,
one process group), stopping them, and which process holds a port. Read from /proc (Linux).

A worker outlives a leader killed with SIGKILL and keeps serving: it is still found (by its
command line and the artifacts folder `mlflow server` handed it in its environment), so
`credit server stop` ends it and `credit server start` never says a folder is free while it
runs. Standard library only.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from credit_mlops.errors import InputError, cut

PID_MAX = 4_194_304  # Linux's largest (pid_max can be set no higher): a larger one is no pid
ARTIFACTS_VARIABLE = "_MLFLOW_SERVER_ARTIFACT_DESTINATION"  # mlflow server -> its workers
WORKER_PROGRAMS = ("uvicorn", "gunicorn")


def read_pid(folder: Path) -> int | None:
    """The pid in `folder`/server.pid, None without the file; a garbled one is one line.
    The file is the folder's own: a symbolic link (to a file anywhere) is refused."""
    from credit_runtime.regular_file import read_regular

    pidfile = folder / "server.pid"
    if not (pidfile.exists() or pidfile.is_symlink()):
        return None
    try:
        data = read_regular(pidfile, follow_links=False)
    except OSError:  # a link (ELOOP), a folder, a device, a pipe, an unreadable file
        raise InputError(
            f"{pidfile} is not a regular file of {folder} (a symbolic link, a folder or a "
            "device), so no server's process id; remove it if no server runs there"
        ) from None
    try:
        pid = int(data.decode("ascii").strip())
    except ValueError:  # UnicodeDecodeError too
        raise InputError(
            f"{pidfile} does not hold a process id; if no server runs there, remove the file"
        ) from None
    if pid < 2 or pid > PID_MAX:
        raise InputError(f"{pidfile} holds {pid}, not a server's process id; remove the file")
    return pid


# --- /proc ------------------------------------------------------------------------------


def _pids() -> list[int]:
    return [int(e) for e in os.listdir("/proc") if e.isdigit()]


def _group(pid: int) -> int | None:
    """The process group of the live process `pid`; None if it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else int(fields[2])


def alive(pid: int) -> bool:
    """`pid` runs (a zombie, dead but not yet reaped, does not)."""
    return _group(pid) is not None


def members(group: int) -> list[int]:
    """The live processes of process group `group`."""
    return [pid for pid in _pids() if _group(pid) == group]


def words(pid: int) -> list[str]:
    """The command line of `pid`; empty if it is gone, a zombie or not ours to read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [w.decode(errors="replace") for w in raw.split(b"\0") if w]


def environ_value(pid: int, key: str) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    prefix = key.encode() + b"="
    found = [item[len(prefix) :] for item in raw.split(b"\0") if item.startswith(prefix)]
    return found[0].decode(errors="replace") if found else None


# --- which processes are the server of a folder ------------------------------------------


def _artifacts(folder: Path) -> str:
    return str(folder.resolve() / "artifacts")


def _is_leader_command(argv: list[str]) -> bool:
    return any(w.endswith("mlflow") for w in argv) and "server" in argv


def _is_worker_command(argv: list[str]) -> bool:
    return any(os.path.basename(w) in WORKER_PROGRAMS for w in argv) or any(
        "mlflow.server" in w for w in argv
    )


def is_our_server(pid: int, folder: Path) -> bool:
    """The live process `pid` leads its group and is `mlflow server` keeping its
    artifacts in `folder`: the command line says so (a recycled pid does not)."""
    argv = words(pid)
    return _group(pid) == pid and _is_leader_command(argv) and _artifacts(folder) in argv


def is_our_worker(pid: int, folder: Path) -> bool:
    """The live process `pid` is a uvicorn or gunicorn worker that `mlflow server` started
    for `folder`'s store: its command line names the program, and the artifacts folder it
    serves (on its command line or in the environment mlflow gave it) is `folder`'s."""
    argv = words(pid)
    if not _is_worker_command(argv):
        return False
    artifacts = _artifacts(folder)
    return artifacts in argv or environ_value(pid, ARTIFACTS_VARIABLE) == artifacts


@dataclass(frozen=True)
class ServerState:
    """What serves `folder`'s store now: (pid, process group) of each of its processes."""

    folder: Path
    recorded: int | None  # the pid in server.pid
    processes: tuple[tuple[int, int], ...]

    @property
    def groups(self) -> list[int]:
        """The process groups, the recorded one first."""
        return sorted({g for _, g in self.processes}, key=lambda g: (g != self.recorded, g))

    @property
    def group(self) -> int | None:
        return self.groups[0] if self.processes else None

    @property
    def pids(self) -> list[int]:
        return sorted(p for p, _ in self.processes)

    @property
    def leader_died(self) -> bool:
        """Workers serve, but the `mlflow server` that leads their group is gone."""
        return bool(self.processes) and all(g not in self.pids for g in self.groups)

    @property
    def port(self) -> int | None:
        for pid in self.pids:
            argv = words(pid)
            for flag, value in itertools.pairwise(argv):
                if flag in ("--port", "-b", "--bind"):
                    with contextlib.suppress(ValueError):
                        return int(value.rsplit(":", 1)[-1])
        return None


def server_state(folder: Path) -> ServerState:
    """The processes serving `folder`'s store, found in /proc whatever server.pid says."""
    recorded = read_pid(folder)
    found = []
    for pid in _pids():
        argv = words(pid)
        if not (_is_leader_command(argv) or _is_worker_command(argv)):
            continue  # cheap: most processes are ruled out by their command line
        if is_our_server(pid, folder) or is_our_worker(pid, folder):
            group = _group(pid)
            if group is not None:
                found.append((pid, group))
    return ServerState(folder, recorded, tuple(sorted(found)))


def running_server(folder: Path) -> int | None:
    """The process group of the server started on `folder`, if any of it still runs."""
    return server_state(folder).group


def stop_server(folder: Path) -> ServerState:
    """Stop what serves `folder`'s store: each of its process groups when every live member
    is the server's (else its own processes one by one). A foreign process named by
    server.pid is never signalled. Returns what was stopped."""
    state = server_state(folder)
    pidfile = folder / "server.pid"
    if not state.processes:
        if state.recorded is None:
            raise InputError(
                f"no tracking server runs on {folder} (no server.pid there, and no process "
                "serves its store); nothing to stop"
            )
        if not alive(state.recorded):
            pidfile.unlink(missing_ok=True)
            raise InputError(
                f"the server of {folder} (process {state.recorded}) is not running; removed "
                "its stale pid file (no process serves its store)"
            )
        raise InputError(
            f"process {state.recorded} in {pidfile} is not the tracking server started "
            "there; nothing was signalled (no process serves its store: remove the file)"
        )
    for group in state.groups:
        ours = {p for p, g in state.processes if g == group}
        if set(members(group)) <= ours:
            stop_group(group)
        else:  # the group holds other programs too: only the server's own are signalled
            stop_pids(sorted(ours))
    pidfile.unlink(missing_ok=True)
    return state


def _wait_gone(pids: list[int] | None, group: int | None, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        left = members(group) if group is not None else [p for p in pids or [] if alive(p)]
        if not left:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def stop_group(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left: workers die with the server.
    Waits until no live process is left in it (a zombie leader awaits its parent)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if not _wait_gone(None, pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        _wait_gone(None, pid, 5.0)


def stop_pids(pids: list[int], timeout: float = 15.0) -> None:
    """SIGTERM each process, then SIGKILL those left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        if _wait_gone(pids, None, timeout if sig == signal.SIGTERM else 5.0):
            return


# --- who holds a port -------------------------------------------------------------------


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) > 9 and f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f[9])
    return inodes


def port_holder(port: int) -> int | None:
    """The process listening on TCP `port`, if this user may see it (/proc/*/fd)."""
    sockets = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    for pid in _pids() if sockets else []:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in sockets:
                        return pid
    return None


def port_in_use(port: int) -> str:
    """One line: `port` is taken, by which process if it can be known, and what to do."""
    from credit_mlops.escaping import one_line

    pid = port_holder(port)
    if pid is None:
        return f"port {port} is in use; pick another with --port"
    artifacts = environ_value(pid, ARTIFACTS_VARIABLE)
    argv = words(pid)
    if artifacts is None and "--artifacts-destination" in argv[:-1]:
        artifacts = argv[argv.index("--artifacts-destination") + 1]
    if artifacts and artifacts.endswith("/artifacts"):
        folder = one_line(os.path.dirname(artifacts))
        return (
            f"port {port} is in use by process {pid}, the tracking server of {folder}; pick "
            f"another with --port, or stop it: credit server stop --dir {folder}"
        )
    shown = one_line(cut(" ".join(argv), 100)) or "its command line is not readable"
    return f"port {port} is in use by process {pid} ({shown}); pick another with --port"
