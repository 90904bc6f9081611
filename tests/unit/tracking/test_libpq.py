"""What a PostgreSQL server or libpq says that is no failure to reach it, on the real local
PostgreSQL (127.0.0.1:5432, trust auth): a parameter of the URL refused, a read-only
database, a statement cancelled; and the artifact store's failures named as its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.errors import InputError, TrackingError
from credit_mlops.redaction import redact
from credit_mlops.tracking import database, db_writes, libpq
from credit_mlops.tracking.artifact_store import logging_failure

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
READ_ONLY = "?options=-c%20default_transaction_read_only%3Don"
runner = CliRunner()


@pytest.fixture
def empty_db() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    name = f"credit_test_fxf_{uuid.uuid4().hex[:10]}"
    database.create_database(admin, name)
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        database.drop_database(admin, name)
        admin.close()


def test_a_connect_timeout_libpq_refuses_is_bad_input_at_once(empty_db: str) -> None:
    result = runner.invoke(app, ["compare", "--mlflow-uri", f"{empty_db}?connect_timeout=abc"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"error: tracking store URL {empty_db.replace('postgres@', '')}?connect_timeout=abc "
        "is not usable (bad value for connect_timeout: 'abc'); fix --mlflow-uri"
    ]


def test_an_unknown_server_parameter_is_bad_input(empty_db: str) -> None:
    problem = database.probe(f"{empty_db}?options=-c%20bogus%3D1", what="w", setting="s")
    assert isinstance(problem, InputError) and "is not usable" in str(problem)


def test_a_read_only_database_is_refused_before_work(empty_db: str) -> None:
    with pytest.raises(libpq.ReadOnlyStoreError) as caught:
        db_writes.check_writes(empty_db + READ_ONLY, what="tracking store", setting="--mlflow-uri")
    assert caught.value.exit_code == 2
    assert "is read-only (transaction_read_only is on)" in str(caught.value)
    assert "point --mlflow-uri at a writable database" in str(caught.value)
    db_writes.check_writes(empty_db, what="tracking store", setting="--mlflow-uri")  # writable


def test_a_read_only_tune_storage_is_one_line(empty_db: str) -> None:
    argv = ["tune", "-m", "logistic_regression", "--trials", "1", "--folds", "2"]
    argv += ["--mlflow-disable", "--storage", empty_db + READ_ONLY, "--study", "st"]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "tune storage" in lines[0] and "is read-only" in lines[0]
    assert "point tune.storage at a writable database" in lines[0]


def failure(url: str, sql: str) -> BaseException:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    except sqlalchemy.exc.DBAPIError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("no failure")


def test_a_write_refused_mid_command_keeps_the_run_and_says_read_only(empty_db: str) -> None:
    exc = failure(empty_db + READ_ONLY, "CREATE TABLE t (x int)")
    error = database.translate(empty_db, exc, what="tracking store", setting="--mlflow-uri")
    assert isinstance(error, TrackingError)  # a TrackingError: train keeps the outbox entry
    assert error.exit_code == 2 and "is read-only (cannot execute CREATE TABLE" in str(error)


def test_a_statement_timeout_is_said_as_such(empty_db: str) -> None:
    url = empty_db + "?options=-c%20statement_timeout%3D1"
    exc = failure(url, "SELECT pg_sleep(1)")
    error = database.translate(url, exc, what="tracking store", setting="--mlflow-uri")
    assert error.exit_code == 1
    assert "cancelled a statement at the server's statement timeout" in str(error)
    assert "unreachable" not in str(error)


def test_only_secret_parameters_are_masked() -> None:
    shown = redact("postgresql://u@h/d?target_session_attrs=read-write&sslpassword=s3cret&x=1")
    assert "target_session_attrs=read-write" in shown
    assert "sslpassword=********" in shown and "s3cret" not in shown
    assert "token=********" in redact("https://h/p?token=abc")


def test_a_missing_client_library_while_logging_is_the_artifact_stores() -> None:
    try:
        import boto3_not_installed_here  # type: ignore[import-not-found]  # noqa: F401
    except ImportError as exc:
        error = logging_failure(exc, "s3exp", "s3://bucket/x", "abc123")
    assert error is not None and error.partial_run_id == "abc123"
    assert "run files of experiment 's3exp' could not be written to s3://bucket/x" in str(error)
