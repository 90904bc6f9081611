"""What a PostgreSQL server or libpq says that is no failure to reach the database: a
parameter of the URL itself refused, a database that takes no writes, a statement the
server cancelled at its own time limit.

The probe connects with its own `connect_timeout`, which hides the URL's: a value psycopg
refuses (`?connect_timeout=abc`) is therefore checked here, by psycopg's own rule, before
any connection. Whether the database takes writes is asked with `SHOW transaction_read_only`
(tracking/db_writes.py uses it before minutes of work).
"""

from __future__ import annotations

from typing import Any

from credit_mlops.errors import ConfigError, CreditError, TrackingError

# The server's words for a write refused by a database that takes none
_READ_ONLY = ("read-only transaction", "read only transaction", "recovery is in progress")
# libpq's or psycopg's words for a parameter of the URL itself it refuses (no server asked)
_REFUSED = ("bad value for", "invalid connection option", "unrecognized configuration parameter")


class ReadOnlyStoreError(TrackingError):
    """The database answers but takes no writes (hot standby, a read-only transaction
    default): the URL names the wrong database. A TrackingError, so a trained run is kept
    in the outbox when it surfaces while logging."""

    exit_code = 2


def refused_parameter(url: str) -> str | None:
    """psycopg's refusal of the URL's own `connect_timeout`, else None."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # malformed: create_engine says so with the setting's name
        return None
    if parsed.get_backend_name() != "postgresql" or "connect_timeout" not in parsed.query:
        return None
    import psycopg
    from psycopg.conninfo import timeout_from_conninfo

    given = parsed.query["connect_timeout"]
    value = given if isinstance(given, str) else given[-1]
    try:
        timeout_from_conninfo({"connect_timeout": value})
    except psycopg.ProgrammingError as exc:
        return str(exc)
    return None


def read_only(connection: Any) -> str | None:
    """Why the PostgreSQL database of an open SQLAlchemy connection takes no writes, or None."""
    said = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
    if str(said).lower() != "on":
        return None
    if connection.exec_driver_sql("SELECT pg_is_in_recovery()").scalar():
        return "a hot standby: transaction_read_only is on"
    return "transaction_read_only is on"


def denied_table(connection: Any, table: str) -> str | None:
    """The user's missing INSERT right on `table` when the table is there, else None."""
    sql = "SELECT to_regclass(%(t)s) IS NOT NULL AND NOT has_table_privilege(%(t)s, 'INSERT')"
    if connection.exec_driver_sql(sql, {"t": table}).scalar():
        user = connection.exec_driver_sql("SELECT current_user").scalar()
        return f"user {user} may not insert into {table}"
    return None


def read_only_error(what: str, shown: str, reason: str, setting: str) -> ReadOnlyStoreError:
    return ReadOnlyStoreError(
        f"{what} {shown} is read-only ({reason}); point {setting} at a writable database"
    )


def answered(url: str, shown: str, reason: str, *, what: str, setting: str) -> CreditError | None:
    """The translation of a PostgreSQL answer that is no schema problem, else None."""
    lowered = reason.lower()
    if any(s in lowered for s in _READ_ONLY):
        return read_only_error(what, shown, reason, setting)
    if "statement timeout" in lowered:
        return TrackingError(
            f"{what} {shown} cancelled a statement at the server's statement timeout "
            f"({reason}); raise statement_timeout (in the URL's options, or the role's or "
            f"database's setting), or fix {setting}"
        )
    if any(s in lowered for s in _REFUSED) or "invalid integer value" in lowered:
        return ConfigError(f"{what} URL {shown} is not usable ({reason}); fix {setting}")
    return None
