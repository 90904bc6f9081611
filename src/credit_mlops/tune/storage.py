"""Where a study lives: an Optuna journal file (one machine, several processes) or a
database through Optuna's RDB storage (several machines), opened safely and failing fast.

- A setting without `://` is a journal file path (`JournalStorage` + `JournalFileBackend`).
- A URL is an `RDBStorage` with heartbeats: a worker that dies mid-trial stops beating, the
  next worker to look fails that trial and re-queues its parameters
  (`RetryHeartbeatStaleTrialCallback`, the successor of the deprecated failed-trial callback).
- Several workers creating Optuna's schema in a brand-new PostgreSQL database at once race
  ("duplicate key ... studydirection"): the schema is created under a PostgreSQL advisory
  lock, so exactly one creates it and the others find it.
- Connecting is bounded (`connect_timeout`), so an address that does not answer gives
  `TuneStorageUnreachable` (exit 3) within seconds.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.errors import ConfigError, CreditError
from credit_mlops.tracking import database

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings

_WHAT, _SETTING = "tune storage", "tune.storage"

# pg_advisory_lock key for Optuna's schema creation: any fixed 64-bit number, same everywhere.
_SCHEMA_LOCK = 0x637265646974  # "credit"


@dataclass(frozen=True)
class StorageSpec:
    url: str  # a journal file path, or an SQLAlchemy URL
    heartbeat_interval: int = 10  # seconds between a running trial's heartbeats
    grace_period: int = 30  # seconds without a heartbeat before a trial counts as dead
    max_retry: int = 3  # how often a dead worker's trial is re-queued
    connect_timeout: int = 5  # seconds to wait for the database to answer

    @classmethod
    def of(cls, settings: Settings) -> StorageSpec:
        """The storage the settings' `[tune]` section names."""
        t = settings.tune
        return cls(
            t.storage_url(settings.root),
            heartbeat_interval=t.heartbeat_interval,
            grace_period=t.grace_period,
            max_retry=t.max_retry,
            connect_timeout=t.connect_timeout,
        )


def is_database(url: str) -> bool:
    return "://" in url


def display_url(url: str) -> str:
    """The URL without its password (safe to print and log)."""
    return database.display_url(url) if is_database(url) else url


def open_storage(spec: StorageSpec) -> Any:
    """An Optuna storage for `spec`; raises `TrackingUnreachableError` (exit 3) when the
    database does not answer, `AuthError` (4) when it refuses, `ConfigError` (2) otherwise."""
    if not is_database(spec.url):
        return _journal(Path(spec.url))
    return _database(spec)


def probe(spec: StorageSpec) -> None:
    """Fail fast: one connection to a database storage, before any slow work (imports,
    data); a journal file needs none. A missing database answers, so it passes here."""
    if not is_database(spec.url):
        return
    _check_sqlite_folder(spec.url)
    _refuse_system_database(spec.url)
    error = database.probe(
        spec.url, what=_WHAT, setting=_SETTING, connect_timeout=spec.connect_timeout
    )
    if error is not None and not isinstance(error, ConfigError):  # a missing one is made later
        raise error
    if error is None:  # a hot standby or a read-only default: said before any trial
        from credit_mlops.tracking.db_writes import check_writes

        check_writes(spec.url, what=_WHAT, setting=_SETTING, table="trials")
    if error is None and spec.url.lower().startswith("sqlite"):
        # a file that is no SQLite database (or a damaged one) opens without complaint: its
        # tables are read now, so it is said in one line before any study work
        database.table_names(
            spec.url, what=_WHAT, setting=_SETTING, connect_timeout=spec.connect_timeout
        )


def _check_sqlite_folder(url: str) -> None:
    """A sqlite storage whose folder does not exist is a wrong path, not a server that is
    down: `sqlite:///x/s.db` is relative to the current folder, `sqlite:////x/s.db` is not."""
    if not url.lower().startswith("sqlite"):
        return
    import sqlalchemy

    try:
        name = sqlalchemy.engine.make_url(url).database
    except Exception:  # malformed: create_engine says so with the setting's name
        return
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    folder = Path(name).parent
    if not folder.is_dir():
        raise ConfigError(
            f"{_WHAT} {display_url(url)}: the folder {folder.resolve()} does not exist; make it "
            f"first, or fix {_SETTING} (sqlite:/// + a path is relative to the current "
            "folder, sqlite://// + an absolute one)"
        )


def _refuse_system_database(url: str) -> None:
    name = database.system_database(url)  # PostgreSQL's own: postgres, template0/1
    if name is not None:
        raise ConfigError(
            f"{_WHAT} {display_url(url)}: {name} is one of PostgreSQL's own "
            f"databases, never a study storage; name a database of its own in {_SETTING} "
            "(e.g. .../credit_studies: it is created if missing)"
        )


def _refuse_foreign_tables(url: str, conn: Any) -> None:
    """A database that holds tables but not Optuna's (an MLflow tracking store, another
    application's): Optuna would add its tables beside them. Refused; nothing is written."""
    import sqlalchemy

    tables = set(sqlalchemy.inspect(conn).get_table_names())
    if not tables or "studies" in tables:
        return
    what = "the MLflow tracking store" if "experiments" in tables else "another application's"
    raise ConfigError(
        f"{_WHAT} {display_url(url)} is {what} database, not a study storage; give the "
        f"studies a database or file of their own in {_SETTING} (e.g. .credit/optuna.journal)"
    )


def _engine(spec: StorageSpec) -> Any:
    return database.create_engine(
        spec.url, what=_WHAT, setting=_SETTING, connect_timeout=spec.connect_timeout
    )


def _journal(path: Path) -> Any:
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    from credit_mlops.tune.journal import check_journal, check_records

    # Optuna's own log lines (a lock a killed worker left, waited for) are not the tool's
    optuna.logging.set_verbosity(optuna.logging.ERROR)

    check_journal(path)  # damaged or read-only: refused before anything is appended
    check_records(path)  # a record of the wrong types, or of no study or trial: likewise
    try:  # the journal is replayed here, whole, before anything is appended
        return JournalStorage(JournalFileBackend(str(path)))
    except OSError as exc:
        raise ConfigError(
            f"tune storage file {path} cannot be used: {exc}; check tune.storage"
        ) from exc
    except (AssertionError, KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        # JSON lines that are not records Optuna wrote (an unknown operation, a field
        # missing or of another type): Optuna's replay trips on them
        raise ConfigError(
            f"tune.storage: the study journal {path} holds a record Optuna cannot replay "
            f"({type(exc).__name__}); it was changed by hand or by another tool: restore it "
            "from a copy or use a new journal file"
        ) from None


def _database(spec: StorageSpec) -> Any:

    _refuse_system_database(spec.url)
    try:
        return _open_database(spec)
    except ConfigError as exc:
        if not (spec.url.startswith("postgresql") and "does not exist" in str(exc)):
            raise
    _create_postgres_database(spec)  # a team database not made yet: make it, once
    return _open_database(spec)


def _create_postgres_database(spec: StorageSpec) -> None:
    import sqlalchemy
    from sqlalchemy.engine import make_url

    url = make_url(spec.url)
    admin = sqlalchemy.create_engine(
        url.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        **database.engine_kwargs(spec.url, spec.connect_timeout),
    )
    import psycopg

    try:
        with admin.connect() as conn:
            database.create_database(conn.connection.driver_connection, str(url.database))
    except psycopg.errors.ProgrammingError as exc:  # e.g. no right to create databases
        reason = database.reason_of(exc)
        raise ConfigError(
            f"tune storage {display_url(spec.url)}: database {url.database!r} does not "
            f"exist and cannot be created ({reason}); create it or fix tune.storage"
        ) from None
    except sqlalchemy.exc.OperationalError as exc:
        raise _translate(spec.url, exc) from None
    finally:
        admin.dispose()


def _open_database(spec: StorageSpec) -> Any:
    import sqlalchemy
    from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

    kwargs = database.engine_kwargs(spec.url, spec.connect_timeout)
    engine = _engine(spec)
    try:
        with engine.connect() as conn:
            postgres = engine.dialect.name == "postgresql"
            if postgres:
                conn.execute(sqlalchemy.text(f"SELECT pg_advisory_lock({_SCHEMA_LOCK})"))
            try:
                _refuse_foreign_tables(spec.url, conn)
                with warnings.catch_warnings():
                    # heartbeat_interval and the retry callback are marked experimental.
                    warnings.simplefilter("ignore")
                    storage = RDBStorage(
                        spec.url,
                        engine_kwargs=kwargs,
                        heartbeat_interval=spec.heartbeat_interval,
                        grace_period=spec.grace_period,
                        heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(
                            max_retry=spec.max_retry
                        ),
                    )
            finally:
                if postgres:
                    conn.execute(sqlalchemy.text(f"SELECT pg_advisory_unlock({_SCHEMA_LOCK})"))
    except sqlalchemy.exc.DBAPIError as exc:  # a damaged file too, not only no connection
        raise _translate(spec.url, exc) from None
    finally:
        engine.dispose()
    return storage


def _translate(url: str, exc: Exception) -> Exception:
    return database.translate(url, exc, what=_WHAT, setting=_SETTING)


def write_failure(exc: BaseException, url: str) -> CreditError | None:
    """A study storage the disk refused to write (full, over quota, read-only), wherever in
    Optuna's stack it surfaced (it wraps the OSError in its own errors): one line."""
    import errno

    chain: BaseException | None = exc
    while chain is not None:
        if isinstance(chain, OSError) and chain.errno in (
            errno.ENOSPC,
            errno.EDQUOT,
            errno.EROFS,
        ):
            return CreditError(
                f"the tune storage {display_url(url)} could not be written ({chain.strerror}); "
                "free space there (or make it writable) and run again - the trials already "
                "finished are kept, and a record cut short at the end is named by the next "
                "worker"
            )
        chain = chain.__cause__ or chain.__context__
    return database_failure(exc, url)


def database_failure(exc: BaseException, url: str) -> CreditError | None:
    """The database's own refusal inside Optuna's errors (its StorageInternalError wraps
    it), translated: a read-only database, a statement cancelled, credentials ..."""
    import sqlalchemy

    chain: BaseException | None = exc
    while chain is not None:
        if isinstance(chain, sqlalchemy.exc.DBAPIError) and is_database(url):
            return database.translate(url, chain, what=_WHAT, setting=_SETTING)
        chain = chain.__cause__ or chain.__context__
    return None
