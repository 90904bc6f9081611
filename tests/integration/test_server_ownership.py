"""`credit server stop` signals only the server it started; `credit server start` refuses a
folder whose server still runs. Real processes: a real `mlflow server`, a foreign one."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from tests.conftest import credit
from tests.integration.processes import alive

from credit_mlops.errors import InputError
from credit_mlops.ops.server import free_port, is_our_server, postgres_reachable, read_pid


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
