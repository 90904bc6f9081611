"""An Optuna journal file is checked whole before any worker opens it, and never appended
to when it is damaged.

Optuna's journal reader skips a last line it cannot decode (a line without its newline, a
half-written record) as "still being written"; the next worker appends after it, the bad
line is no longer the last, and the study is unreadable for good. So every line must be
UTF-8 JSON holding an operation (`op_code`) and end with its newline, or the study is
refused (exit 2) with the line number and how to recover, and nothing is written to it.
A journal that cannot be written (a read-only file or folder) is refused up front too.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from credit_mlops.errors import ConfigError, InputError
from credit_mlops.kept_files import SQLITE_MAGIC

_SETTING = "tune.storage / --storage"


def check_journal(path: Path) -> None:
    """Refuse a journal that is damaged or cannot take writes, and a file that is no
    journal at all (`foreign`); a missing one is fine."""
    if path.exists() and not path.is_file():
        raise InputError(f"{_SETTING}: {path} is not a file; name a journal file")
    if path.is_file():
        problem = _checked_under_lock(path)
        if problem is not None:
            line, what = problem
            if line == 1 and (kind := foreign(path, what)) is not None:
                raise ConfigError(
                    f"{_SETTING}: {path} is not a study journal ({kind}); nothing was "
                    "written to it. Name a journal file of its own (a new file is made, "
                    "e.g. .credit/optuna.journal) or a database URL"
                )
            raise ConfigError(
                f"{_SETTING}: the study journal {path} is damaged at line {line} ({what}); "
                f"nothing was written to it. Keep a copy, then {_recovery(line)}"
            )
    _check_writable(path)


def _recovery(line: int) -> str:
    """How to go on from a journal whose line `line` is bad: keep the good lines before it,
    or, when there are none, start again."""
    keep = line - 1
    if keep == 0:
        return "move it away (no record before it is whole) to start the study again"
    return (
        f"keep its first {keep} line(s) (`head -n {keep} FILE > FILE.fixed`), or move it "
        "away to start a new study"
    )


def foreign(path: Path, what: str) -> str | None:
    """What `path` is when its first line, bad for the reason `what`, is no journal record
    at all (a SQLite database, the MLflow store, any other file); None when it starts like
    a journal (a first record cut short or spoiled: a damaged journal)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(SQLITE_MAGIC):
        return _sqlite_kind(path)
    if head.lstrip().startswith(b'{"op_code"'):
        return None
    return f"its first line is no journal record: {what}"


def _sqlite_kind(path: Path) -> str:
    """A SQLite database, read only: the MLflow store, an Optuna study database (to name
    with a sqlite:/// URL), or another one."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {str(name) for (name,) in rows}
        finally:
            conn.close()
    except sqlite3.Error:
        tables = set()
    if {"experiments", "runs"} <= tables:
        return "it is a SQLite database: the MLflow tracking store"
    if "studies" in tables:
        return f"it is a SQLite database of Optuna studies: name it as sqlite:///{path.resolve()}"
    return "it is a SQLite database"


def check_records(path: Path) -> None:
    """Refuse a journal (checked whole by `check_journal`) holding a record whose fields are
    not of the types Optuna's journal format gives them, or that names a study or trial no
    earlier record created: Optuna would replay it into a failure mid-study, or skip it."""
    from credit_mlops.tune.journal_records import first_bad_record

    if not path.is_file():
        return
    problem = _checked_under_lock(path, first_bad_record)
    if problem is not None:
        line, what = problem
        raise ConfigError(
            f"{_SETTING}: the study journal {path} holds a record credit never writes or "
            f"Optuna cannot replay at line {line} ({what}); it was changed by hand or by "
            f"another tool, and nothing was written to it. Restore it from a copy, or "
            f"{_recovery(line)}"
        )


def _checked_under_lock(
    path: Path, check: Callable[[Path], tuple[int, str] | None] | None = None
) -> tuple[int, str] | None:
    """Read under Optuna's own journal lock: a record another worker is writing right now
    is never mistaken for one cut short."""
    from optuna.storages.journal import JournalFileSymlinkLock
    from optuna.storages.journal._file import get_lock_file

    read = check or first_damage
    try:
        with get_lock_file(JournalFileSymlinkLock(str(path))):
            return read(path)
    except OSError:  # a folder where no lock can be made: read as is, writability is next
        return read(path)


def first_damage(path: Path) -> tuple[int, str] | None:
    """(line number, what is wrong) of the first line that is not a journal record."""
    number = 0
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.endswith(b"\n"):
                return number, "the last line has no newline: a record cut short"
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                return number, "bytes that are not UTF-8 text"
            except json.JSONDecodeError:
                return number, "a line that is not JSON"
            except RecursionError:
                return number, "JSON nested deeper than any Optuna record"
            if not isinstance(record, dict) or "op_code" not in record:
                return number, "JSON that is not an Optuna journal record"
    return None


def _check_writable(path: Path) -> None:
    """The journal and its folder take writes (Optuna keeps a lock file beside it)."""
    folder = path.parent
    if not folder.is_dir() and not (folder.name == ".credit" and folder.parent.is_dir()):
        raise ConfigError(
            f"{_SETTING}: the folder of the study journal {path} does not exist; make it "
            "first (the tool makes the journal, never the folders above it)"
        )
    try:
        folder.mkdir(exist_ok=True)  # the project's own .credit folder, at most
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".credit-write-probe-"):
            pass
        if path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)  # opened, nothing written
            os.close(fd)
    except OSError as exc:
        raise ConfigError(
            f"{_SETTING}: the study journal {path} cannot be written ({exc.strerror or exc}); "
            "make it and its folder writable or use another journal file"
        ) from None
