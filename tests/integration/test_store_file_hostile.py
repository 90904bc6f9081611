"""The embedded store's file as another program left it: a link to a device, a pipe, a
socket, another program's SQLite file, a schema of another MLflow version, a libpq file
named in a PostgreSQL URI. Each is one line with its exit code, never a hang, and a
command that only reads writes nothing to it. Real `credit` processes."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest
from tests.conftest import credit, project_with_store

pytestmark = [pytest.mark.integration]


def one_line(done: subprocess.CompletedProcess[str], code: int, needle: str) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == code, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], lines
    return lines[0]


@pytest.mark.parametrize("kind", ["link to /dev/zero", "named pipe", "socket", "link to pipe"])
def test_a_store_file_that_is_no_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    root = project_with_store(tmp_path / "p", None)
    db = root / ".credit" / "mlflow.db"
    db.parent.mkdir()
    held = None
    if kind == "link to /dev/zero":
        db.symlink_to("/dev/zero")
    elif kind == "named pipe":
        os.mkfifo(db)
    elif kind == "link to pipe":
        os.mkfifo(tmp_path / "pipe")
        db.symlink_to(tmp_path / "pipe")
    else:
        held = socket.socket(socket.AF_UNIX)
        held.bind(str(db))
    try:
        done = credit(["compare"], root, timeout=60)  # a pipe used to hang forever
    finally:
        if held is not None:
            held.close()
    one_line(done, 2, "not a database file")


def test_a_link_to_a_regular_store_is_still_followed(tmp_path: Path, store_template: Path) -> None:
    root = project_with_store(tmp_path / "p", None)
    (root / ".credit").mkdir()
    shutil.copy(store_template, tmp_path / "real.db")
    (root / ".credit" / "mlflow.db").symlink_to(tmp_path / "real.db")
    done = credit(["compare"], root, timeout=120)
    assert "not a database file" not in done.stderr, done.stderr


def _tables(db: Path) -> set[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}


@pytest.mark.parametrize("command", [["compare"], ["predict", "m/1", "-i", "x.csv", "-o", "s.csv"]])
def test_another_programs_sqlite_file_is_read_not_migrated(
    tmp_path: Path, synthetic_file: Path, command: list[str]
) -> None:
    root = project_with_store(tmp_path / "p", None)
    db = root / ".credit" / "mlflow.db"
    db.parent.mkdir()
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE foo (a)")
    before = db.read_bytes()
    shutil.copy(synthetic_file, root / "x.csv")
    one_line(credit(command, root, timeout=120), 2, "another application's database (tables: foo)")
    assert db.read_bytes() == before and _tables(db) == {"foo"}
    assert sorted(p.name for p in db.parent.iterdir()) == ["mlflow.db"]  # no journal left


FOREIGN_SQLITE = (
    "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
    "INSERT INTO alembic_version VALUES ('a1b2c3d4e5f6');"
    "CREATE TABLE users (id int);"
)


@pytest.mark.parametrize("source", ["flag", "MLFLOW_TRACKING_URI"])
@pytest.mark.parametrize("command", [["compare"], ["train", "--model", "logistic_regression"]])
def test_another_applications_sqlite_file_is_refused_and_left_as_it_was(
    tmp_path: Path, synthetic_file: Path, command: list[str], source: str
) -> None:
    """Its own alembic_version (a revision MLflow does not know) and a table of its own:
    neither a reading command nor `credit train` lets MLflow create its ~25 tables in it."""
    root = project_with_store(tmp_path / "p", None)
    other = tmp_path / "elsewhere" / "other.db"
    other.parent.mkdir()
    with sqlite3.connect(other) as con:
        con.executescript(FOREIGN_SQLITE)
    before = other.read_bytes()
    uri = f"sqlite:///{other}"
    env = {"CREDIT_DATA__PATH": str(synthetic_file)}
    if source == "flag":
        args, setting = [*command, "--mlflow-uri", uri], "--mlflow-uri"
    else:
        args, setting = command, "MLFLOW_TRACKING_URI"
        env["MLFLOW_TRACKING_URI"] = uri
    done = credit(args, root, env, timeout=300)
    line = one_line(done, 2, "is another application's database (tables: alembic_version, users)")
    assert f"point {setting} at a database of MLflow's own" in line, line
    assert other.read_bytes() == before and _tables(other) == {"alembic_version", "users"}
    assert sorted(p.name for p in other.parent.iterdir()) == ["other.db"]  # no lock, no journal


def test_a_store_of_another_mlflow_version_is_named_as_such(
    tmp_path: Path, store_template: Path
) -> None:
    root = project_with_store(tmp_path / "p", store_template)
    db = root / ".credit" / "mlflow.db"
    with sqlite3.connect(db) as con:
        expected = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        con.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    line = one_line(credit(["compare"], root, timeout=120), 2, "schema version ffffffffffff")
    assert expected in line and "mlflow db upgrade" in line and "another MLflow" in line


@pytest.mark.parametrize(
    "key", ["passfile", "sslcert", "sslkey", "sslrootcert", "sslcrl", "sslcrldir", "servicefile"]
)
def test_a_libpq_file_in_the_uri_is_refused_before_libpq_reads_it(tmp_path: Path, key: str) -> None:
    root = project_with_store(tmp_path / "p", None)
    uri = f"postgresql+psycopg://u@127.0.0.1:1/db?{key}=/dev/zero"
    line = one_line(credit(["compare", "--mlflow-uri", uri], root, timeout=60), 2, f"?{key}=")
    assert "PGPASSFILE" in line and "WARNING" not in line


@pytest.mark.parametrize(
    "name", ["mlflow.db.lock", "mlflow.db-journal", "mlflow.db-wal", "mlflow.db-shm"]
)
def test_an_output_into_a_stores_side_file_is_refused(
    tmp_path: Path, store_template: Path, name: str
) -> None:
    root = project_with_store(tmp_path / "p", store_template)
    target = root / ".credit" / name
    done = credit(["data", "synth", "--rows", "5", "-o", str(target)], root, timeout=120)
    one_line(done, 2, "a file of the tracking store")
    assert not target.exists()


@pytest.mark.parametrize("inside", ["artifacts/new.csv", "outbox/new.csv"])
def test_a_new_output_in_a_stores_folders_is_refused(
    tmp_path: Path, store_template: Path, inside: str
) -> None:
    root = project_with_store(tmp_path / "p", store_template)
    target = root / ".credit" / inside
    target.parent.mkdir()
    done = credit(["data", "synth", "--rows", "5", "-o", str(target)], root, timeout=120)
    one_line(done, 2, "a file of the tracking store")
    assert not target.exists()
    beside = credit(["data", "synth", "--rows", "5", "-o", "scored.csv"], root, timeout=120)
    assert beside.returncode == 0, beside.stderr
