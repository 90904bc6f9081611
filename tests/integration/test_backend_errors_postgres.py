"""A PostgreSQL tracking URI that cannot be used fails in one line with its exit code:
credentials 4, nothing listening 3, a missing database 2 - within seconds, never after
MLflow's minute of SQLAlchemy retries. Real `credit` processes against real servers.

The shared server at 127.0.0.1:5432 trusts every local connection, so a wrong password
cannot fail there: that case runs against a private PostgreSQL cluster with password
authentication (initdb in tmp_path, as the `postgres` system user; skipped without one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import CREDIT
from tests.integration.conftest import postgres_or_skip

from credit_mlops.ops.server import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
BOUND = 60  # generous for a loaded machine; MLflow's own retries take 50-105 s
DB_PREFIX = os.environ.get("CREDIT_TEST_DB_PREFIX", "credit_test")  # databases tests make


def run(args: list[str], cwd: Path, extra: dict[str, str] | None = None) -> tuple[int, str, float]:
    """The installed `credit` with a clean environment plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_", "PG"))}
    env.update(extra or {})
    began = time.monotonic()
    proc = subprocess.run(
        [str(CREDIT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=BOUND + 60
    )
    return proc.returncode, proc.stderr, time.monotonic() - began


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip() and "INFO mlflow" not in line]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture
def role() -> Iterator[str]:
    """A login role with a password on the shared server, dropped afterwards."""
    postgres_or_skip()
    import psycopg
    from psycopg import sql

    name = f"credit_pw_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal("right-pass-2026")
            )
        )
    try:
        yield name
    finally:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def password_cluster() -> Iterator[int]:
    """A private PostgreSQL that checks passwords (scram-sha-256); yields its port.

    Its folder is a fresh one under the system temp folder: pytest's own is private to
    root, and the server runs as the `postgres` user."""
    if os.geteuid() != 0 or not (PG_BIN / "initdb").exists() or not shutil.which("runuser"):
        pytest.skip("needs root and PostgreSQL 15's initdb to run a private cluster")
    folder = Path(tempfile.mkdtemp(prefix="credit-pg-"))
    shutil.chown(folder, "postgres")
    (folder / "pw").write_text("right-pass-2026\n")
    shutil.chown(folder / "pw", "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    subprocess.run(
        [
            *as_pg,
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            f"--pwfile={folder / 'pw'}",
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    subprocess.run(
        [
            *as_pg,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield port
    finally:
        subprocess.run(
            [*as_pg, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_a_wrong_password_is_exit_4_without_the_password(
    password_cluster: int, tmp_path: Path
) -> None:
    uri = f"postgresql://postgres:wrong-s3cret@127.0.0.1:{password_cluster}/credit"
    code, err, took = run(["compare", "--mlflow-uri", uri], tmp_path)
    line = one_line(err)
    assert code == 4, err
    assert "refused the credentials" in line and "PGPASSWORD" in line
    assert "wrong-s3cret" not in err
    assert took < BOUND


def test_a_wrong_password_from_pgpassword_is_exit_4(password_cluster: int, tmp_path: Path) -> None:
    """The password from libpq's own variable is checked the same way."""
    uri = f"postgresql://postgres@127.0.0.1:{password_cluster}/credit"
    code, err, _ = run(["compare", "--mlflow-uri", uri], tmp_path, {"PGPASSWORD": "not-it"})
    assert code == 4, err
    one_line(err)


def test_a_role_without_rights_on_the_schema_is_exit_4(
    role: str, empty_database: str, tmp_path: Path
) -> None:
    """The shared server lets the role in, but MLflow cannot create its tables (`credit
    sync` opens the store to write to it, also with an empty outbox)."""
    uri = f"postgresql://{role}:right-pass-2026@127.0.0.1:5432/{empty_database}"
    code, err, took = run(["sync", "--mlflow-uri", uri], tmp_path)
    line = one_line(err)
    assert code == 4, err
    assert "permission" in line and "right-pass-2026" not in err
    assert took < BOUND


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A database with no tables on the shared server, dropped afterwards."""
    postgres_or_skip()
    import psycopg

    from credit_mlops.tracking.database import create_database, drop_database

    name = f"{DB_PREFIX}_empty_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        create_database(c, name)
    try:
        yield name
    finally:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            drop_database(c, name)


def tables_in(database: str) -> list[str]:
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={database}") as c:
        rows = c.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize(
    "args",
    [
        ["compare"],
        ["compare", "--registry"],
        ["promote", "logistic_regression", "1", "Production"],
        ["scorecard", "scorecard@production"],
        ["register", "0" * 32],
    ],
    ids=["compare", "compare-registry", "promote", "scorecard", "register"],
)
def test_reading_a_database_without_a_store_creates_nothing(
    empty_database: str, args: list[str], tmp_path: Path
) -> None:
    """Commands that read what training wrote find no store in an empty database: one
    line, exit 2, and MLflow's tables are not created by the reading."""
    uri = f"postgresql://postgres@127.0.0.1:5432/{empty_database}"
    code, err, took = run([*args, "--mlflow-uri", uri], tmp_path)
    line = one_line(err)
    assert code == 2, err
    assert "holds no tracking store yet" in line and "credit train" in line
    assert tables_in(empty_database) == []
    assert took < BOUND


def test_writing_to_an_empty_database_creates_the_store(
    empty_database: str, tmp_path: Path
) -> None:
    """The other side: a command that writes (here `credit sync`) makes MLflow's tables,
    after which reading commands find the store."""
    uri = f"postgresql://postgres@127.0.0.1:5432/{empty_database}"
    code, err, _ = run(["sync", "--mlflow-uri", uri], tmp_path)
    assert code == 0, err
    assert "alembic_version" in tables_in(empty_database)
    code, err, _ = run(["compare", "--mlflow-uri", uri], tmp_path)
    assert code == 0, err


def test_nothing_listening_is_exit_3_fast(tmp_path: Path) -> None:
    uri = f"postgresql://postgres@127.0.0.1:{free_port()}/credit"
    code, err, took = run(["compare", "--mlflow-uri", uri], tmp_path)
    assert code == 3, err
    assert "unreachable" in one_line(err)
    assert took < BOUND


def test_a_missing_database_is_exit_2_and_not_created(tmp_path: Path) -> None:
    postgres_or_skip()
    name = f"{DB_PREFIX}_missing_{uuid.uuid4().hex[:8]}"
    code, err, _ = run(
        ["compare", "--mlflow-uri", f"postgresql://postgres@127.0.0.1:5432/{name}"], tmp_path
    )
    assert code == 2, err
    assert name in one_line(err)
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres") as c:
        assert not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()


def test_an_unknown_user_is_exit_4(tmp_path: Path) -> None:
    postgres_or_skip()
    user = f"nobody_{uuid.uuid4().hex[:8]}"
    code, err, took = run(
        ["compare", "--mlflow-uri", f"postgresql://{user}@127.0.0.1:5432/{DB_PREFIX}_none"],
        tmp_path,
    )
    line = one_line(err)
    assert code == 4, err
    assert "refused the credentials" in line and "createdb" not in line
    assert took < BOUND


def test_a_driver_that_is_not_installed_is_exit_2(tmp_path: Path) -> None:
    code, err, _ = run(
        ["compare", "--mlflow-uri", "postgresql+pg8000://postgres@127.0.0.1:5432/x"], tmp_path
    )
    assert code == 2, err
    assert "--mlflow-uri" in one_line(err)


FOREIGN = {
    "revision-only": [
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
        "INSERT INTO alembic_version VALUES ('deadbeef0000')",
    ],
    "revision-and-users": [
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
        "INSERT INTO alembic_version VALUES ('deadbeef0000')",
        "CREATE TABLE users (id int)",
    ],
    "users-only": ["CREATE TABLE users (id int)"],
}


@pytest.mark.parametrize("command", ["compare", "train"])
@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_another_applications_database_is_refused_and_left_as_it_was(
    empty_database: str, kind: str, command: str, tmp_path: Path, synthetic_file: Path
) -> None:
    """Tables, none of them MLflow's `experiments`: another application's database, whatever
    its alembic_version says. Neither a reading command nor `credit train` lets MLflow
    create or migrate its schema there (it used to create ~25 tables, then fail)."""
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={empty_database}") as c:
        for statement in FOREIGN[kind]:
            c.execute(statement)
    before = sorted(tables_in(empty_database))
    uri = f"postgresql://postgres@127.0.0.1:5432/{empty_database}"
    args = [command, "--mlflow-uri", uri]
    if command == "train":
        args += ["--model", "logistic_regression"]
    code, err, took = run(args, tmp_path, {"CREDIT_DATA__PATH": str(synthetic_file)})
    line = one_line(err)
    assert code == 2, err
    assert f"is another application's database (tables: {', '.join(before)})" in line, line
    assert "point --mlflow-uri at a database of MLflow's own" in line
    assert sorted(tables_in(empty_database)) == before
    assert took < BOUND


def test_a_store_of_mlflows_own_is_still_opened(empty_database: str, tmp_path: Path) -> None:
    """The other side: a database MLflow created (its `experiments` among other tables) is
    read as before, even with a table of someone else's beside it."""
    uri = f"postgresql://postgres@127.0.0.1:5432/{empty_database}"
    code, err, _ = run(["sync", "--mlflow-uri", uri], tmp_path)
    assert code == 0, err
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={empty_database}") as c:
        c.execute("CREATE TABLE notes (id int)")
    code, err, _ = run(["compare", "--mlflow-uri", uri], tmp_path)
    assert code == 0, err


@pytest.mark.parametrize("command", ["compare", "train"])
def test_a_store_that_lost_a_table_is_damage_said_before_any_work(
    empty_database: str, command: str, tmp_path: Path, synthetic_file: Path
) -> None:
    """At MLflow's newest revision with a table gone: exit 2 before training (MLflow would
    fail after it, "Database migration in unexpected state"), never the advice to create
    the database, and nothing created."""
    uri = f"postgresql://postgres@127.0.0.1:5432/{empty_database}"
    code, err, _ = run(["sync", "--mlflow-uri", uri], tmp_path)
    assert code == 0, err
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={empty_database}") as c:
        c.execute("DROP TABLE registered_model_aliases CASCADE")
    before = sorted(tables_in(empty_database))
    args = [command, "--mlflow-uri", uri, *(["-m", "logistic_regression"] * (command == "train"))]
    code, err, _ = run(args, tmp_path, {"CREDIT_DATA__PATH": str(synthetic_file)})
    line = one_line(err)
    assert code == 2, err
    assert "is damaged" in line and "lost table(s) registered_model_aliases" in line, line
    assert "createdb" not in line
    assert sorted(tables_in(empty_database)) == before
    assert not (tmp_path / ".credit" / "outbox").exists()


def test_a_schema_revision_mlflow_never_had_is_refused_not_unreachable(
    empty_database: str, tmp_path: Path
) -> None:
    """An `experiments` table and an alembic_version MLflow never wrote: exit 2 naming the
    revision, not "unreachable ... check that the server is running" (exit 3)."""
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={empty_database}") as c:
        c.execute("CREATE TABLE alembic_version (version_num varchar(32))")
        c.execute("INSERT INTO alembic_version VALUES ('deadbeef')")
        c.execute("CREATE TABLE experiments (experiment_id int)")
    uri = f"postgresql://postgres@127.0.0.1:5432/{empty_database}"
    code, err, _ = run(["compare", "--mlflow-uri", uri], tmp_path)
    line = one_line(err)
    assert code == 2, err
    assert "schema revision 'deadbeef', which this MLflow never had" in line, line
    assert sorted(tables_in(empty_database)) == ["alembic_version", "experiments"]


OWN = "{} is one of PostgreSQL's own databases, never a tracking store"


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("postgres", OWN.format("postgres")),
        ("template0", OWN.format("template0")),
        ("template1", OWN.format("template1")),
        ("", "names no database"),  # libpq would take the user's: postgres
        ("credit_x?dbname=template1", "names the connection's dbname in its query"),
    ],
)
@pytest.mark.parametrize("command", ["compare", "train"])
def test_postgresqls_own_databases_are_refused_before_connecting(
    path: str, said: str, command: str, tmp_path: Path, synthetic_file: Path
) -> None:
    """Nothing listens on the port: the refusal comes before any connection is tried, for
    the database a connection would get, however the URL leads there."""
    uri = f"postgresql://postgres@127.0.0.1:{free_port()}/{path}"
    data = {"CREDIT_DATA__PATH": str(synthetic_file)}
    model = ["--model", "logistic_regression"] if command == "train" else []
    code, err, took = run([command, "--mlflow-uri", uri, *model], tmp_path, data)
    line = one_line(err)
    assert code == 2, err
    assert said in line
    assert "--mlflow-uri" in line and "unreachable" not in line
    assert took < BOUND
