"""A team tracking server on this machine: `mlflow server` on PostgreSQL (or sqlite), with
proxied artifact storage and optionally MLflow's basic-auth app. Used by `make server`, the
tests and the benchmarks; always bound to 127.0.0.1 and stopped by its process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from credit_mlops.errors import CreditError, InputError
from credit_mlops.files import write_text

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class ServerSpec:
    folder: Path  # artifacts, logs, pid file, sqlite stores
    port: int = 5000
    backend_uri: str | None = None  # None: sqlite in `folder`
    auth: bool = False
    admin_password: str | None = None  # for the basic-auth app's first start
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def backend(self) -> str:
        return self.backend_uri or f"sqlite:///{self.folder / 'mlflow.db'}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def postgres_reachable(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        import psycopg

        with psycopg.connect(
            f"host={host} port={port} user=postgres dbname=postgres", connect_timeout=3
        ):
            return True
    except Exception:
        return False


def _sqlalchemy_to_libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def create_database(name: str, admin_url: str = POSTGRES_ADMIN) -> str:
    """Create database `name` if missing; return its SQLAlchemy URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    from credit_mlops.tracking import database

    with psycopg.connect(_sqlalchemy_to_libpq(admin_url), autocommit=True) as conn:
        database.create_database(conn, name)
    # the name goes into the URL as one path segment, escaped by SQLAlchemy
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str, admin_url: str = POSTGRES_ADMIN) -> None:
    import psycopg

    from credit_mlops.tracking import database

    with psycopg.connect(_sqlalchemy_to_libpq(admin_url), autocommit=True) as conn:
        database.drop_database(conn, name)


class MlflowServer:
    """One `mlflow server` process group."""

    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def command(self) -> list[str]:
        mlflow = Path(sys.executable).parent / "mlflow"
        cmd = [
            str(mlflow),
            "server",
            "--backend-store-uri",
            self.spec.backend,
            "--artifacts-destination",
            str(self.spec.folder / "artifacts"),
            "--host",
            self.spec.host,
            "--port",
            str(self.spec.port),
            "--workers",
            "1",
        ]
        if self.spec.auth:
            cmd += ["--app-name", "basic-auth"]
        return cmd

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING_")}
        env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        if self.spec.auth:
            ini = self.spec.folder / "basic_auth.ini"
            write_text(
                ini,
                "[mlflow]\ndefault_permission = READ\n"
                f"database_uri = sqlite:///{self.spec.folder / 'basic_auth.db'}\n"
                "admin_username = admin\n"
                "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
            )
            env["MLFLOW_AUTH_CONFIG_PATH"] = str(ini)
            env.setdefault("MLFLOW_FLASK_SERVER_SECRET_KEY", os.urandom(16).hex())
            if self.spec.admin_password:
                env["MLFLOW_AUTH_ADMIN_PASSWORD"] = self.spec.admin_password
        return env

    def check_free(self) -> None:
        """The folder and port can take a new server: refused in one line (exit 2) before
        anything is made, a database included."""
        folder = self.spec.folder
        if folder.exists() and not folder.is_dir():
            raise InputError(
                f"--dir {folder} is a file, not a folder; name a folder for the server"
            )
        running = running_server(folder)
        if running is not None:
            raise InputError(
                f"a tracking server already runs on {self.spec.folder} (process group "
                f"{running}); stop it first: credit server stop --dir {self.spec.folder}"
            )
        if port_open(self.spec.port):
            raise InputError(f"port {self.spec.port} is in use; pick another with --port")

    def start(self, timeout: float = 120.0) -> MlflowServer:
        self.check_free()
        self.spec.folder.mkdir(parents=True, exist_ok=True)
        log = (self.spec.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            self.command(),
            env=self.environ(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group
        )
        write_pid(self.spec.folder, self.process.pid)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                tail = (self.spec.folder / "server.log").read_text(errors="replace")[-800:]
                raise CreditError(f"mlflow server exited ({self.process.returncode}): {tail}")
            try:
                if requests.get(self.spec.url + "/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise CreditError(f"mlflow server did not answer at {self.spec.url} in {timeout:.0f} s")

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None:
            return
        stop_group(self.process.pid, timeout)
        self.process.wait(timeout=timeout)
        self.process = None
        (self.spec.folder / "server.pid").unlink(missing_ok=True)

    def kill(self) -> None:
        """Die at once, as a crashed server would (SIGKILL to the whole group)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)
        self.process = None


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


def write_pid(folder: Path, pid: int) -> None:
    """Put `pid` in `folder`/server.pid as a regular file of the folder: written beside it
    and renamed over it, so a symbolic link there is replaced itself, never written through."""
    pidfile = folder / "server.pid"
    partial = folder / f".server.pid.{os.getpid()}"
    partial.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(partial, flags, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(str(pid))
        os.replace(partial, pidfile)
    finally:
        partial.unlink(missing_ok=True)


PID_MAX = 4_194_304  # Linux's largest (pid_max can be set no higher): a larger one is no pid


def is_our_server(pid: int, folder: Path) -> bool:
    """The live process `pid` leads its group and is `mlflow server` keeping its
    artifacts in `folder`: the command line says so (a recycled pid does not)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        leader = os.getpgid(pid) == pid
    except (OSError, ProcessLookupError):
        return False
    words = [a.decode(errors="replace") for a in argv]
    artifacts = str(folder.resolve() / "artifacts")
    return (
        leader
        and any(w.endswith("mlflow") for w in words)
        and "server" in words
        and artifacts in words
    )


def running_server(folder: Path) -> int | None:
    """The process group of the server started on `folder`, if it still runs."""
    pid = read_pid(folder)
    return pid if pid is not None and is_our_server(pid, folder) else None


def stop_server(folder: Path) -> int:
    """Stop the server of `folder` (its process group) after checking it is ours."""
    pid = read_pid(folder)
    if pid is None:
        raise InputError(f"no server pid file in {folder}; nothing to stop")
    if not Path(f"/proc/{pid}").exists():
        (folder / "server.pid").unlink(missing_ok=True)
        raise InputError(
            f"the server of {folder} (process {pid}) is not running; removed its stale pid file"
        )
    if not is_our_server(pid, folder):
        raise InputError(
            f"process {pid} in {folder / 'server.pid'} is not the tracking server started "
            "there; nothing was signalled (remove the file if no server runs)"
        )
    stop_group(pid)
    (folder / "server.pid").unlink(missing_ok=True)
    return pid


def stop_group(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left: workers die with the server."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
