"""`credit server stop` signals only the server it started, its workers too when its leader
was killed; `credit server start` refuses a folder whose server still runs, a folder whose
parent is missing and a database that is PostgreSQL's own or another program's. Real
processes: a real `mlflow server`, a foreign one."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from tests.conftest import credit
from tests.integration.processes import alive

from credit_mlops.errors import InputError
from credit_mlops.ops.server import free_port, port_open, postgres_reachable
from credit_mlops.ops.server_processes import is_our_server, read_pid, server_state

DB_PREFIX = os.environ.get("CREDIT_TEST_DB_PREFIX", "credit_test")  # databases tests make


def one_line(done: subprocess.CompletedProcess[str], code: int, needle: str) -> None:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == code, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], lines


@pytest.mark.parametrize(
    "content", ["", "garbage", "12abc", "-5", "0", "\xff\xfe1\x002", "99999999999999999999"]
)
def test_a_garbled_pid_file_is_one_line(tmp_path: Path, content: str) -> None:
    folder = tmp_path / "server"
    folder.mkdir()
    (folder / "server.pid").write_bytes(content.encode("latin-1"))
    one_line(credit(["server", "stop", "--dir", str(folder)], tmp_path), 2, "server.pid")
    with pytest.raises(InputError):
        read_pid(folder)


def test_a_pid_file_that_is_a_folder_is_named_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "server"
    (folder / "server.pid").mkdir(parents=True)
    one_line(credit(["server", "stop", "--dir", str(folder)], tmp_path), 2, "not a regular file")
    assert (folder / "server.pid").is_dir()


def test_a_server_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "file.txt"
    folder.write_text("x")
    args = ["server", "start", "--backend", "sqlite", "--port", str(free_port())]
    one_line(credit([*args, "--dir", str(folder)], tmp_path), 2, "is a file")
    assert folder.read_text() == "x"


def test_database_with_the_sqlite_backend_is_refused_not_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "server"
    args = ["server", "start", "--backend", "sqlite", "--database", "team", "--dir", str(folder)]
    one_line(credit([*args, "--port", str(free_port())], tmp_path), 2, "drop --database")
    assert not folder.exists()


def test_a_foreign_process_is_never_signalled(tmp_path: Path) -> None:
    folder = tmp_path / "server"
    folder.mkdir()
    foreign = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        (folder / "server.pid").write_text(str(foreign.pid))
        assert not is_our_server(foreign.pid, folder)
        one_line(credit(["server", "stop", "--dir", str(folder)], tmp_path), 2, "not the tracking")
        time.sleep(0.5)
        assert alive(foreign.pid)
        assert (folder / "server.pid").exists()
    finally:
        os.killpg(foreign.pid, signal.SIGKILL)
        foreign.wait()


def test_a_stale_pid_file_is_removed_with_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "server"
    folder.mkdir()
    gone = subprocess.Popen(["true"])
    gone.wait()
    (folder / "server.pid").write_text(str(gone.pid))
    one_line(credit(["server", "stop", "--dir", str(folder)], tmp_path), 2, "not running")
    assert not (folder / "server.pid").exists()


def test_a_second_start_is_refused_and_stop_ends_the_first(tmp_path: Path) -> None:
    folder = tmp_path / "server"
    port = free_port()
    args = ["server", "start", "--backend", "sqlite", "--dir", str(folder)]
    first = credit([*args, "--port", str(port)], tmp_path, timeout=300)
    assert first.returncode == 0, first.stderr
    pid = read_pid(folder)
    assert pid is not None and is_our_server(pid, folder)
    assert f"--mlflow-uri http://127.0.0.1:{port}" in " ".join(first.stdout.split())
    try:
        second = credit([*args, "--port", str(free_port())], tmp_path, timeout=300)
        one_line(second, 2, "already runs")
        assert read_pid(folder) == pid  # the pid file was not overwritten
        assert alive(pid)
        if postgres_reachable():  # refused before its database is made
            name = f"credit_refused_{os.getpid()}"
            third = ["server", "start", "--backend", "postgres", "--database", name]
            one_line(credit([*third, "--dir", str(folder)], tmp_path, timeout=300), 2, "already")
            assert not _database_exists(name)
    finally:
        done = credit(["server", "stop", "--dir", str(folder)], tmp_path)
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 20
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(pid)
    assert not (folder / "server.pid").exists()


def _database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres") as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def test_a_pid_file_linked_outside_the_folder_is_refused_and_never_written(
    tmp_path: Path,
) -> None:
    """server.pid is the folder's own file: a link to a file elsewhere (holding a dead pid)
    is refused, and the file it points at keeps what it held."""
    folder = tmp_path / "d1"
    folder.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("99999")
    (folder / "server.pid").symlink_to(outside)
    args = ["server", "start", "--backend", "sqlite", "--port", str(free_port())]
    one_line(credit([*args, "--dir", str(folder)], tmp_path, timeout=120), 2, "remove it")
    assert outside.read_text() == "99999" and (folder / "server.pid").is_symlink()
    with pytest.raises(InputError, match="not a regular file"):
        read_pid(folder)


def test_the_pid_is_written_as_the_folders_own_file(tmp_path: Path) -> None:
    from credit_mlops.ops.server import write_pid

    folder = tmp_path / "d1"
    folder.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("99999")
    (folder / "server.pid").symlink_to(outside)
    write_pid(folder, 4242)  # the link itself is replaced, its target never written
    assert outside.read_text() == "99999"
    assert not (folder / "server.pid").is_symlink() and read_pid(folder) == 4242
    assert sorted(p.name for p in folder.iterdir()) == ["server.pid"]


def test_a_worker_left_by_a_killed_leader_is_reported_stopped_and_the_port_freed(
    tmp_path: Path,
) -> None:
    """kill -9 of `mlflow server` leaves its uvicorn worker serving in the same process
    group: status says so, start refuses the folder and names the port's process, stop ends
    it, and the folder and port take a new server."""
    folder = tmp_path / "server"
    port = free_port()
    args = ["server", "start", "--backend", "sqlite", "--dir", str(folder), "--port", str(port)]
    first = credit(args, tmp_path, timeout=300)
    assert first.returncode == 0, first.stderr
    leader = read_pid(folder)
    assert leader is not None
    try:
        os.kill(leader, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(leader) and time.monotonic() < deadline:
            time.sleep(0.1)
        (worker,) = server_state(folder).pids
        assert port_open(port)  # the worker still serves
        status = credit(["server", "status", "--dir", str(folder)], tmp_path)
        assert status.returncode == 0, status.stderr
        assert "runs without its main process" in status.stdout
        assert f"processes {worker}" in status.stdout and f":{port}" in status.stdout
        one_line(credit(args, tmp_path, timeout=120), 2, "already runs")
        other = ["server", "start", "--backend", "sqlite", "--port", str(port)]
        one_line(
            credit([*other, "--dir", str(tmp_path / "other")], tmp_path, timeout=120),
            2,
            f"port {port} is in use by process {worker}, the tracking server of {folder}",
        )
        stop = credit(["server", "stop", "--dir", str(folder)], tmp_path)
        assert stop.returncode == 0, stop.stderr
        assert "whose main process had died" in stop.stderr
        assert not alive(worker) and not port_open(port)
        gone = credit(["server", "status", "--dir", str(folder)], tmp_path)
        one_line(gone, 3, "no tracking server runs on")
        again = credit(args, tmp_path, timeout=300)  # same folder, same port
        assert again.returncode == 0, again.stderr
    finally:
        credit(["server", "stop", "--dir", str(folder)], tmp_path)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(leader, signal.SIGKILL)
    assert not port_open(port)


def test_a_folder_whose_parent_is_missing_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "x" / "nope" / "srv"
    args = ["server", "start", "--backend", "sqlite", "--port", str(free_port())]
    done = credit([*args, "--dir", str(folder)], tmp_path, timeout=120)
    one_line(done, 2, f"--dir: folder {folder.parent} does not exist; create it first")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("postgres", "--database postgres is PostgreSQL's own database; name one of its own"),
        ("template0", "--database template0 is PostgreSQL's own database"),
        ("template1", "--database template1 is PostgreSQL's own database"),
        ('x"; drop table y; --', "use lower-case letters, digits and _, starting with a"),
        ("Hostile_X", "--database 'Hostile_X' is not a name for the store's database"),
        ("two words", "use lower-case letters"),
    ],
)
def test_a_database_that_is_no_store_of_its_own_is_refused_before_connecting(
    tmp_path: Path, name: str, needle: str
) -> None:
    before = _system_tables() if postgres_reachable() else None
    folder = tmp_path / "server"
    args = ["server", "start", "--backend", "postgres", "--port", str(free_port())]
    one_line(credit([*args, "--database", name, "--dir", str(folder)], tmp_path), 2, needle)
    assert not folder.exists()
    if before is not None:
        assert _system_tables() == before


def test_an_existing_database_of_another_program_is_refused_and_left_as_it_was(
    tmp_path: Path,
) -> None:
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    import psycopg
    from psycopg import sql

    name = f"{DB_PREFIX}_foreign_{uuid.uuid4().hex[:10]}"
    admin = "host=127.0.0.1 user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}") as conn:
            conn.execute("CREATE TABLE ledger (a int)")
        folder = tmp_path / "server"
        args = ["server", "start", "--backend", "postgres", "--port", str(free_port())]
        done = credit([*args, "--database", name, "--dir", str(folder)], tmp_path)
        one_line(done, 2, f"--database {name} already holds 1 table(s) and is no MLflow store")
        assert not folder.exists()
        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}") as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
        assert tables == [("ledger",)]
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _system_tables() -> dict[str, int]:
    import psycopg

    counts = {}
    for db in ("postgres", "template1"):
        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={db}") as conn:
            row = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
        counts[db] = row[0] if row else -1
    return counts


def test_a_ctrl_c_while_the_server_starts_leaves_no_server(tmp_path: Path) -> None:
    """The server runs in a process group of its own, which a terminal's Ctrl-C never
    reaches: the interrupted start stops what it launched, and says it was interrupted."""
    from tests.conftest import CREDIT

    folder = tmp_path / "server"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    argv = [str(CREDIT), "server", "start", "--backend", "sqlite", "--dir", str(folder)]
    proc = subprocess.Popen(
        [*argv, "--port", str(port)], cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    pid_file = folder / "server.pid"
    deadline = time.monotonic() + 120
    while not pid_file.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    server = int(pid_file.read_text().split()[0])
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    deadline = time.monotonic() + 30
    while alive(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(server)
    assert not pid_file.exists() and not port_open(port)


def test_a_second_server_on_the_same_database_is_refused(tmp_path: Path) -> None:
    """Two folders, one PostgreSQL store: the second would keep artifacts elsewhere, so the
    models logged through one could not be read through the other."""
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    from credit_mlops.tracking.database import drop_database

    name = f"{DB_PREFIX}_two_{uuid.uuid4().hex[:8]}"
    first, port = tmp_path / "a", free_port()
    base = ["server", "start", "--backend", "postgres", "--database", name]
    try:
        started = credit([*base, "--dir", str(first), "--port", str(port)], tmp_path)
        assert started.returncode == 0, started.stderr
        second = credit([*base, "--dir", str(tmp_path / "b"), "--port", str(free_port())], tmp_path)
        one_line(second, 2, f"is already the store of the team server on port {port}")
        assert not (tmp_path / "b").exists()
    finally:
        credit(["server", "stop", "--dir", str(first)], tmp_path)
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            drop_database(c, name)


@pytest.mark.parametrize("kind", ["fifo", "link"])
def test_a_log_that_is_a_pipe_or_a_link_is_refused_and_nothing_written_through(
    tmp_path: Path, kind: str
) -> None:
    folder = tmp_path / "server"
    folder.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("mine\n")
    if kind == "fifo":
        os.mkfifo(folder / "server.log")
    else:
        (folder / "server.log").symlink_to(precious)
    args = ["server", "start", "--backend", "sqlite", "--dir", str(folder)]
    done = credit([*args, "--port", str(free_port())], tmp_path, timeout=60)
    one_line(done, 2, "server.log")
    assert precious.read_text() == "mine\n" and not (folder / "server.pid").exists()
