"""A SQL database behind a tracking URI or a tune storage URL: one bounded connection
attempt, and the one translation of its failures into our exit codes.

MLflow's SQLAlchemy store retries a failed engine for 50-105 s and then raises a traceback;
Optuna's RDB storage waits as long as the driver does. Both are asked to open the database
only after `probe` made one connection with `connect_timeout`, so a wrong password (exit 4),
a port where nothing listens (exit 3) or a missing database (exit 2) is one line within
seconds. The password never appears: URLs are shown through `display_url`, and libpq's own
sources of a password (PGPASSWORD, ~/.pgpass) are what the messages advise.
"""

from __future__ import annotations

from typing import Any

from credit_mlops.errors import (
    AuthError,
    ConfigError,
    CreditError,
    InputError,
    NotFoundError,
    TrackingError,
    TrackingUnreachableError,
)

CONNECT_TIMEOUT = 5  # seconds: a database on the network answers well within this
MAX_NAME_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1


def display_url(url: str) -> str:
    """The URL without its password (safe to print and log)."""
    from credit_mlops.redaction import redact

    return redact(url)


def engine_kwargs(url: str, connect_timeout: int = CONNECT_TIMEOUT) -> dict[str, Any]:
    """SQLAlchemy engine options that bound a connection attempt (PostgreSQL and MySQL)."""
    if url.startswith(("postgresql", "mysql")):
        return {"connect_args": {"connect_timeout": connect_timeout}, "pool_pre_ping": True}
    return {}


def create_engine(url: str, *, what: str, setting: str, connect_timeout: int) -> Any:
    import sqlalchemy

    from credit_mlops.tracking.uri import hidden_character, target_in_query

    problem = hidden_character(url)
    if problem is not None:
        raise ConfigError(f"{what} URL {problem}; fix {setting}")
    problem = target_in_query(url)
    if problem is not None:
        raise ConfigError(f"{what} URL {display_url(url)} {problem}; fix {setting}")
    from credit_mlops.tracking.libpq import refused_parameter

    problem = refused_parameter(url)  # hidden on the probe by its own connect_timeout
    if problem is not None:
        raise ConfigError(f"{what} URL {display_url(url)} is not usable ({problem}); fix {setting}")
    try:
        return sqlalchemy.create_engine(url, **engine_kwargs(url, connect_timeout))
    except Exception as exc:  # bad URL syntax, unknown dialect or driver not installed
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"{what} URL {display_url(url)} is not usable ({reason}); check {setting}"
        ) from None


def probe(
    url: str,
    *,
    what: str,
    setting: str,
    connect_timeout: int = CONNECT_TIMEOUT,
    table: str | None = None,
) -> CreditError | None:
    """Connect once within `connect_timeout`; the translated failure, or None when it
    answered. Returned rather than raised so that a caller may act on a missing database.

    With `table`, the database must also hold that table in its default schema: a store
    only read from (compare, predict, promote, ...) is never created by the reading.
    """
    import sqlalchemy

    engine = create_engine(url, what=what, setting=setting, connect_timeout=connect_timeout)
    try:
        with engine.connect() as connection:
            if table is not None and not sqlalchemy.inspect(connection).has_table(table):
                return NotFoundError(
                    f"{display_url(url)} holds no {what} yet (no {table} table); run "
                    f"`credit train` on it first, or fix {setting}"
                )
            return None
    except sqlalchemy.exc.DBAPIError as exc:
        return translate(url, exc, what=what, setting=setting)
    finally:
        engine.dispose()


def check(
    url: str,
    *,
    what: str,
    setting: str,
    connect_timeout: int = CONNECT_TIMEOUT,
    table: str | None = None,
) -> None:
    """Raise the translated failure of one bounded connection attempt."""
    problem = probe(url, what=what, setting=setting, connect_timeout=connect_timeout, table=table)
    if problem is not None:
        raise problem


# PostgreSQL's own databases: `postgres` for tools to connect to, the templates every new
# database is copied from (tables made in template1 appear in every database made after)
SYSTEM_DATABASES = ("postgres", "template0", "template1")
# The table every MLflow tracking store holds from its first migration on
MLFLOW_MARK = "experiments"


def system_database(url: str) -> str | None:
    """The name of PostgreSQL's own database the URL leads to, else None (no connection).
    The database a connection gets, not only the one written: a `?dbname=` in the query,
    else the path, else what libpq takes for a URL naming none (PGDATABASE, else the user's
    name: `postgresql://postgres@host/` is the `postgres` database)."""
    import getpass
    import os

    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # malformed: create_engine says so with the setting's name
        return None
    if parsed.get_backend_name() != "postgresql":
        return None
    given = parsed.query.get("dbname")
    name = (given if isinstance(given, str) else None) or parsed.database
    user = parsed.username or os.environ.get("PGUSER") or getpass.getuser()
    name = name or os.environ.get("PGDATABASE") or user
    return name if name in SYSTEM_DATABASES else None


def table_names(
    url: str, *, what: str, setting: str, connect_timeout: int = CONNECT_TIMEOUT
) -> list[str]:
    """The tables of the database's default schema, read through one bounded connection
    (SQLAlchemy's inspector: nothing is created or written); its failure translated."""
    import sqlalchemy

    engine = create_engine(url, what=what, setting=setting, connect_timeout=connect_timeout)
    try:
        with engine.connect() as connection:
            return sorted(sqlalchemy.inspect(connection).get_table_names())
    except sqlalchemy.exc.DBAPIError as exc:
        raise translate(url, exc, what=what, setting=setting) from None
    finally:
        engine.dispose()


def not_mlflows(url: str, tables: list[str], *, setting: str) -> ConfigError | None:
    """A database that holds tables but not MLflow's (`experiments`), whatever its
    alembic_version says: another application's, where MLflow must create nothing."""
    if not tables or MLFLOW_MARK in tables:
        return None
    from credit_mlops.errors import cut, some
    from credit_mlops.escaping import one_line

    listed = some([one_line(cut(name, 60)) for name in tables], 8)
    return ConfigError(
        f"tracking store {display_url(url)} is another application's database (tables: "
        f"{listed}); point {setting} at a database of MLflow's own"
    )


def reason_of(exc: BaseException) -> str:
    """The driver's first meaningful line (libpq prefixes it with the address it tried)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    first = lines[0]
    # psycopg: 'connection failed: connection to server at "h" (ip), port 5432 failed: FATAL: ...'
    if "FATAL:" in first:
        return first.split("FATAL:", 1)[1].strip()
    return first


_DAMAGED_SCHEMA = ("already exists", "no such table", "no such column")
_NOT_SQLITE = ("file is not a database", "disk image is malformed")


def translate(url: str, exc: BaseException, *, what: str, setting: str) -> CreditError:
    """A driver failure as our error: credentials 4, missing database 2, an answer about a
    schema it cannot use 1 (2 when refused before work, `schema_state`), otherwise 3."""
    shown = display_url(url)
    reason = reason_of(exc)
    lowered = reason.lower()
    if "authentication failed" in lowered or "password" in lowered or "access denied" in lowered:
        return AuthError(
            f"{what} {shown} refused the credentials ({reason}); give the database password "
            f"in PGPASSWORD or ~/.pgpass (never in {setting}), or fix the user name"
        )
    if "disk is full" in lowered or "no space left" in lowered:
        return TrackingError(
            f"{what} {shown}: its disk is full ({reason}); free space there and run again"
        )
    if "permission denied" in lowered or "insufficient privilege" in lowered:
        return AuthError(
            f"{what} {shown} refused the permission ({reason}); grant the user the right "
            "(e.g. `GRANT ALL ON SCHEMA public TO USER`) or use a user that has it"
        )
    if "role" in lowered and "does not exist" in lowered:  # PostgreSQL: an unknown user
        return AuthError(
            f"{what} {shown} refused the credentials ({reason}); fix the user name in "
            f"{setting}, or create the role on the database server"
        )
    from credit_mlops.tracking import libpq

    said = libpq.answered(url, shown, reason, what=what, setting=setting)
    if said is not None:  # read-only, a statement cancelled, a parameter refused
        return said
    if url.startswith("sqlite") and any(s in lowered for s in _NOT_SQLITE):
        return ConfigError(
            f"{what} {shown} is not a SQLite database, or a damaged one ({reason}): another "
            "program wrote over it; restore it from a backup, or move it away and run again "
            "to start a new store"
        )
    if any(s in lowered for s in _DAMAGED_SCHEMA) or _lost_relation(lowered):
        return TrackingError(
            f"{what} {shown} holds a damaged or half-migrated schema ({reason}): a command was "
            "stopped while the store was being created or upgraded, or another program wrote "
            "it; restore it from a backup, or move it away and run again to start a new store"
        )
    if "definition of service" in lowered or (
        "invalid" in lowered and ("value" in lowered or "option" in lowered)
    ):  # libpq refused an option of the URL itself: no server was asked
        return ConfigError(f"{what} URL {shown} is not usable ({reason}); fix {setting}")
    if "does not exist" in lowered or "unknown database" in lowered:
        return ConfigError(
            f"{what} {shown}: {reason}; create it (e.g. `createdb NAME`) or fix {setting}"
        )
    if not _no_answer(exc):  # the server answered, with an error of what it holds
        return TrackingError(
            f"{what} {shown} answered with an error ({reason}): its schema is not one this "
            f"tool can use; point {setting} at a store of MLflow's own"
        )
    return TrackingUnreachableError(
        f"{what} at {shown} is unreachable ({reason}); check {setting} and that the "
        "database server is running"
    )


def _lost_relation(lowered: str) -> bool:
    """PostgreSQL's words for a table or column the schema should hold and does not."""
    return ("relation" in lowered or "column" in lowered) and "does not exist" in lowered


def _no_answer(exc: BaseException) -> bool:
    """A failure to reach the database (no connection, a dropped one), not an answer."""
    import sqlalchemy

    return isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError) or (
        not isinstance(exc, sqlalchemy.exc.DBAPIError)
    )


def create_database(connection: Any, name: str) -> bool:
    """CREATE DATABASE `name` on an autocommit psycopg connection; False when it exists.

    The name is composed as an identifier by psycopg (`sql.Identifier`): whatever it holds
    (quotes, spaces, `" TEMPLATE "template0`) it names one database and is never SQL.
    """
    import psycopg
    from psycopg import sql

    if not name or len(name.encode()) > MAX_NAME_BYTES:
        raise InputError(
            f"database name {name!r} must be 1..{MAX_NAME_BYTES} bytes (PostgreSQL would "
            "cut a longer one silently and two names could meet)"
        )
    try:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
        return False  # made by another process a moment ago
    return True


def drop_database(connection: Any, name: str) -> None:
    """DROP DATABASE IF EXISTS `name` (an identifier composed by psycopg)."""
    from psycopg import sql

    connection.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
    )
    connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
