"""A local sqlite store shared by several processes: creation serialised, writes proved.

MLflow migrates a new (or old) sqlite store the first time a client touches it, and two
processes doing that at once race ("duplicate column name"): a file lock beside the
database makes one process create or migrate it while the others wait, then find it ready.
Before minutes of cross-validation, `probe_sqlite` proves the store takes a write
(a rolled-back CREATE TABLE), so a read-only store is refused up front. MLflow is imported
only inside `open_client` and `create_experiment`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from credit_mlops.errors import InputError, TrackingError

if TYPE_CHECKING:
    from credit_mlops.tracking.uri import TrackingUri

LOCK_TIMEOUT = 600.0  # a first migration takes ~25 s here; a loaded machine may take more


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextlib.contextmanager
def store_lock(db: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the store's lock file (`<db>.lock`) for the block; other processes wait."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path(db)))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise TrackingError(
            f"the store {db} is still being created by another process after {timeout:.0f} s; "
            f"try again (or remove {lock_path(db)} if no credit command is running)"
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot lock the store {db} ({exc.strerror or exc}); its folder must be writable"
        ) from None
    try:
        yield
    finally:
        lock.release()


def probe_sqlite(db: Path, *, uri_mode: bool = False, query: str = "") -> str | None:
    """None if the sqlite database takes a write, else SQLite's reason (e.g. read-only).

    The write is a CREATE TABLE inside a transaction that is rolled back: nothing stays.
    With `uri_mode` the database is opened as MLflow would (`file:PATH?mode=ro&...`).
    """
    params = [(k, v) for k, v in parse_qsl(query) if k.lower() != "uri"]
    target = f"file:{db}" + (f"?{urlencode(params)}" if params else "") if uri_mode else str(db)
    try:
        con = sqlite3.connect(target, uri=uri_mode, timeout=60, isolation_level=None)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("CREATE TABLE credit_write_probe (x INTEGER)")
        con.execute("ROLLBACK")
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        con.close()
    return None


def sqlite_tables(db: Path) -> set[str] | str:
    """The table names of the sqlite database `db`, read through a read-only connection
    (`mode=ro`: nothing is created or written, not even a journal), or SQLite's reason
    when it cannot be read."""
    from urllib.parse import quote

    try:
        con = sqlite3.connect(f"file:{quote(str(db))}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        con.close()
    return {str(name) for (name,) in rows}


def refuse_foreign_sqlite(uri: str, *, source: str, table: str) -> None:
    """A local store only read from must already hold MLflow's schema (its `table`): MLflow
    would otherwise create or migrate one in whatever SQLite file is there. Another
    program's file (or an empty one) is exit 2; MLflow's tables without `table`, a store
    whose creation was cut short, is named as such (exit 1)."""
    from credit_mlops.errors import NotFoundError
    from credit_mlops.tracking import database

    db = sqlite_of(uri).sqlite_path
    if db is None or not db.is_file():
        return
    tables = sqlite_tables(db)
    if isinstance(tables, str):
        failure = sqlite3.DatabaseError(tables)
        raise database.translate(uri, failure, what="tracking store", setting=source)
    if table in tables:
        return
    if tables & _MLFLOW_TABLES:
        failure = sqlite3.OperationalError(f"no such table: {table}")
        raise database.translate(uri, failure, what="tracking store", setting=source)
    raise NotFoundError(
        f"{source}: the store {db} holds no tracking store (no {table} table): it is another "
        "program's SQLite file, or an empty one; move it away (credit train then starts a "
        "new store there) or pick another store with --mlflow-uri"
    )


_MLFLOW_TABLES = frozenset({"experiments", "runs", "metrics", "params", "registered_models"})


def refuse_foreign_store(uri: str, *, source: str) -> None:
    """Before MLflow touches a database store (and creates or migrates its schema there),
    its tables are read: another application's database (tables, none of them MLflow's
    `experiments`) is exit 2 with nothing created, and PostgreSQL's own databases are
    refused before any connection. An empty database is left to the caller: a command
    that may create a store lets MLflow do so, one that only reads refuses it. A store of
    MLflow's that has lost a table, or records a revision MLflow never had, is exit 2 too
    (`schema_state`)."""
    from credit_mlops.errors import ConfigError
    from credit_mlops.tracking import database
    from credit_mlops.tracking.uri import DATABASES

    what = "tracking store"
    if uri.split(":", 1)[0].split("+", 1)[0].lower() in DATABASES:
        system = database.system_database(uri)
        if system is not None:
            raise ConfigError(
                f"{what} {database.display_url(uri)}: {system} is one of PostgreSQL's own "
                f"databases, never a tracking store; point {source} at a database of "
                "MLflow's own (e.g. `createdb credit_mlflow`)"
            )
        tables = database.table_names(uri, what=what, setting=source)
    elif uri.lower().startswith("sqlite:"):
        db = sqlite_of(uri).sqlite_path
        read = sqlite_tables(db) if db is not None and db.is_file() else set()
        if isinstance(read, str):
            return  # unreadable: the caller's checks and MLflow's own open say why
        tables = sorted(read)
    else:
        return
    problem = database.not_mlflows(uri, tables, setting=source)
    if problem is None:
        from credit_mlops.tracking.schema_state import damaged

        problem = damaged(uri, tables, setting=source)  # MLflow's, but unable to open
    if problem is not None:
        raise problem


def sqlite_of(uri: str) -> TrackingUri:
    from credit_mlops.tracking.uri import parse

    return parse(uri, source="tracking.uri")


def local_lock(uri: str) -> contextlib.AbstractContextManager[None]:
    """The lock of a local sqlite store (a no-op for any other URI)."""
    db = sqlite_of(uri).sqlite_path
    return store_lock(db) if db is not None else contextlib.nullcontext()


def check_writable(uri: str, *, source: str) -> None:
    """A store must take writes before minutes of work go into it (exit 2)."""
    parsed = sqlite_of(uri)
    if parsed.sqlite_path is None:  # a database store: proved on one connection (libpq.py)
        from credit_mlops.tracking.db_writes import check_writes

        check_writes(uri, what="tracking store", setting=source, table="runs")
        return
    query = uri.partition("?")[2]
    problem = probe_sqlite(parsed.sqlite_path, uri_mode=parsed.sqlite_uri_mode, query=query)
    if problem and "full" in problem.lower():
        raise TrackingError(
            f"{source}: the store {parsed.sqlite_path} cannot be written ({problem}): its disk "
            "is full; free space there and run again"
        )
    if problem:
        raise InputError(
            f"{source}: the store {parsed.sqlite_path} cannot be written ({problem}): it is "
            "read-only or its folder is; fix its permissions or pick another store"
        )


def open_client(uri: str) -> Any:
    """MLflow's client for `uri`; for a sqlite store, also its schema, created or migrated.

    The client opens the store at once, and the first open of a sqlite store creates or
    migrates its schema: not safe for two processes, so the caller holds `local_lock`.
    """
    import logging

    from mlflow import MlflowClient

    # Our venvs may have no pip; MLflow warns about it on every model it logs.
    logging.getLogger("mlflow.utils.environment").setLevel(logging.ERROR)
    if uri.startswith("sqlite:"):
        parsed = sqlite_of(uri)
        db = parsed.sqlite_path
        if db is not None and not parsed.sqlite_uri_mode and not db.exists():
            _create_whole(uri, db)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    if uri.startswith("sqlite:"):
        client.search_experiments(max_results=1)
        client.search_registered_models(max_results=1)
    return client


def _create_whole(uri: str, db: Path) -> None:
    """Create a new sqlite store's schema in a file beside it, then move that file into
    place in one step: a store is there whole or not at all. MLflow's migrations take
    seconds, and a Ctrl-C or a kill in the middle of them would leave a half-migrated
    database that no later command could open."""
    import os

    from mlflow import MlflowClient

    partial = db.with_name(f".{db.name}.creating-{os.getpid()}")
    _remove_partials(db)
    query = uri.partition("?")[2]
    partial_uri = f"sqlite:///{partial}" + (f"?{query}" if query else "")
    try:
        client = MlflowClient(tracking_uri=partial_uri, registry_uri=partial_uri)
        client.search_experiments(max_results=1)  # creates and migrates the schema
        client.search_registered_models(max_results=1)
        _dispose(client)
        os.replace(partial, db)
    finally:
        for leftover in (partial, *(partial.with_name(partial.name + s) for s in _SIDE_FILES)):
            leftover.unlink(missing_ok=True)


_SIDE_FILES = ("-journal", "-wal", "-shm")  # SQLite's files beside a database


def _remove_partials(db: Path) -> None:
    """Files left by a creation whose process is gone (killed before it could clean up)."""
    import re

    from credit_mlops.processes.identity import alive

    # the partial database and SQLite's files beside it (-journal, -wal, -shm)
    named = re.compile(re.escape(f".{db.name}.creating-") + r"(\d+)(-journal|-wal|-shm)?")
    for path in db.parent.glob(f".{db.name}.creating-*"):
        found = named.fullmatch(path.name)
        if found is not None and not alive(int(found.group(1))):
            path.unlink(missing_ok=True)


def _dispose(client: Any) -> None:
    """Close the connections MLflow keeps to the file (they would outlive its move)."""
    for getter in ("_tracking_client", "_get_registry_client"):
        try:
            part = getattr(client, getter)
            store = (part() if callable(part) else part).store
            store.engine.dispose()
        except Exception:  # best effort: an open connection only costs a file handle
            continue


def create_experiment(client: Any, name: str, location: str | None) -> str:
    """Create the experiment, or take the one another process created a moment ago."""
    from mlflow.exceptions import MlflowException

    try:
        return str(client.create_experiment(name, artifact_location=location))
    except MlflowException:
        exp = client.get_experiment_by_name(name)
        if exp is None:
            raise
        return str(exp.experiment_id)
