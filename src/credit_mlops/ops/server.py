"""A team tracking server on this machine: `mlflow server` on PostgreSQL (or sqlite), with
proxied artifact storage and optionally MLflow's basic-auth app. Used by `make server`, the
tests and the benchmarks; always bound to 127.0.0.1 and stopped by its process group."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from credit_mlops.errors import CreditError, InputError, cut
from credit_mlops.files import write_text
from credit_mlops.ops.server_log import log_tail, open_log
from credit_mlops.ops.server_processes import port_in_use, running_server, stop_group

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


# A database the tool creates for a store: an identifier that needs no quoting anywhere
# (psql, a URL, pg_dump), never PostgreSQL's own databases (template1 seeds every new one).
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
MLFLOW_TABLES = {"alembic_version", "experiments", "runs"}


def check_database_name(name: str, setting: str = "--database") -> str:
    """The name of a store's database, checked before any connection is made."""
    from credit_mlops.escaping import one_line
    from credit_mlops.tracking import database

    if not DATABASE_NAME.fullmatch(name):
        raise InputError(
            f"{setting} {one_line(cut(repr(name), 80))} is not a name for the store's "
            "database: use lower-case letters, digits and _, starting with a letter or _ "
            "(at most 63)"
        )
    if name in database.SYSTEM_DATABASES:
        raise InputError(
            f"{setting} {name} is PostgreSQL's own database; name one of its own for the "
            f"store, e.g. {setting} credit_mlflow"
        )
    return name


SERVER_APPLICATION = "credit-server"  # how a team server's connections name themselves


def create_database(
    name: str, admin_url: str = POSTGRES_ADMIN, *, setting: str = "--database", port: int = 0
) -> str:
    """Create database `name` if missing; return its SQLAlchemy URL, whose connections name
    the team server on `port` (PostgreSQL's application_name). An existing one must be an
    MLflow store or empty, and no other team server's: a database holding other tables, or
    served already, is refused, nothing made in it."""
    import psycopg
    from sqlalchemy.engine import make_url

    from credit_mlops.tracking import database

    check_database_name(name, setting)
    with psycopg.connect(_sqlalchemy_to_libpq(admin_url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT datistemplate FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if row is None:
            database.create_database(conn, name)
        elif row[0]:
            raise InputError(
                f"{setting} {name} is a template database (new databases copy it); name "
                "another for the store"
            )
        else:
            _check_store(admin_url, name, setting)
            served = conn.execute(
                "SELECT application_name FROM pg_stat_activity WHERE datname = %s "
                "AND application_name LIKE %s",
                (name, f"{SERVER_APPLICATION}:%"),
            ).fetchone()
            if served is not None:  # another team server's artifacts live elsewhere
                raise _served(name, setting, str(served[0]))
    # the name goes into the URL as one path segment, escaped by SQLAlchemy
    url = make_url(admin_url).set(database=name)
    url = url.update_query_dict({"application_name": f"{SERVER_APPLICATION}:{port}"})
    return url.render_as_string(hide_password=False)


def _served(name: str, setting: str, application: str) -> InputError:
    """A second team server on one store would keep its artifacts in another folder."""
    port = application.rpartition(":")[2]
    return InputError(
        f"{setting} {name} is already the store of the team server on port {port}: use it "
        f"(--mlflow-uri http://127.0.0.1:{port}), stop it first, or name another database"
    )


def _check_store(admin_url: str, name: str, setting: str) -> None:
    """The existing database `name` is empty or an MLflow store (its tables are read, never
    written)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    from credit_mlops.errors import some

    conninfo = make_conninfo(_sqlalchemy_to_libpq(admin_url), dbname=name)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema "
                "NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            ).fetchall()
        ]
    if tables and not set(tables) >= MLFLOW_TABLES:
        raise InputError(
            f"{setting} {name} already holds {len(tables)} table(s) and is no MLflow store "
            f"({some(tables, 3)}); name a new database for the store, or the store's own"
        )


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
        anything is made, a database included. A new folder is made, never those above it
        (but the project's own `.credit/`)."""
        folder = self.spec.folder
        if folder.exists() and not folder.is_dir():
            raise InputError(
                f"--dir {folder} is a file, not a folder; name a folder for the server"
            )
        if not folder.exists() and not _new_project_store(folder):
            from credit_mlops.files import output_folder

            output_folder(folder, setting="--dir")
        running = running_server(folder) if folder.is_dir() else None
        if running is not None:
            raise InputError(
                f"a tracking server already runs on {self.spec.folder} (process group "
                f"{running}); stop it first: credit server stop --dir {self.spec.folder}"
            )
        if port_open(self.spec.port):
            raise InputError(port_in_use(self.spec.port))

    def start(self, timeout: float = 120.0) -> MlflowServer:
        self.check_free()
        if _new_project_store(self.spec.folder):
            self.spec.folder.parent.mkdir(exist_ok=True)
        self.spec.folder.mkdir(exist_ok=True)
        log = open_log(self.spec.folder)  # never a pipe or a link
        self.process = subprocess.Popen(
            self.command(),
            env=self.environ(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group
        )
        try:
            write_pid(self.spec.folder, self.process.pid)
            self.wait_ready(timeout)
        except BaseException:  # a Ctrl-C too: a start that did not finish leaves no server
            with contextlib.suppress(Exception):
                self.stop()
            raise
        return self

    def wait_ready(self, timeout: float) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                tail = log_tail(self.spec.folder)
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


def _new_project_store(folder: Path) -> bool:
    """`folder` is in a project's own `.credit/`, not made yet: made with it (the default
    `--dir .credit/server` of a fresh checkout)."""
    parent = folder.parent
    return parent.name == ".credit" and not parent.exists() and parent.parent.is_dir()


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
