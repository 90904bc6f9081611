"""Files an output never replaces, whatever the user points `-o` at: a file without a
write bit, a SQLite database, a journal of tune studies, a tracking store's own files.

Writing replaces a file by rename, which ignores the file's own permission bits (for root,
and for the folder's owner), so the check is made here, before any work. Standard library
only.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from credit_mlops.errors import InputError

SQLITE_MAGIC = b"SQLite format 3\x00"
_READ: dict[str, str] = {}  # real path -> what it is, for the files this process read


def forget_reads() -> None:
    _READ.clear()


def read_as(path: Path, what: str) -> None:
    """`path` was read as `what` (the settings profile, the data description): no output of
    this process replaces it, by any name."""
    _READ[os.path.realpath(path)] = what


JOURNAL_HEAD = b'{"op_code"'  # how every record of an Optuna journal file starts


def refuse_kept(path: Path, real: Path, setting: str) -> None:
    """An output never replaces a file someone keeps: one without a write bit (replacing it
    by rename would ignore that, as root or as the folder's owner), a SQLite database (a
    tracking store) or a journal of tune studies, or a path of a store's own (`_store_file`)."""
    seats = real.parent
    if seats.name.endswith(WORKERS) and seats.with_name(seats.name[: -len(WORKERS)]).is_file():
        raise InputError(
            f"{setting}: {path} is in {seats}, where the workers of a tune study journal keep "
            "their seats, which an output never writes; pick a file outside it"
        )
    if real.suffix == ".toml" and real.parent.name == "configs" and os.path.lexists(real):
        raise InputError(
            f"{setting}: {path} is a settings profile of a project (configs/*.toml), which "
            "no command writes; pick another file"
        )
    read = _READ.get(os.path.realpath(real))
    if read is not None:
        raise InputError(
            f"{setting}: {path} is {read} this command read, which its output never "
            "replaces; pick another file"
        )
    store = _store_file(real)
    if store is not None:
        raise InputError(
            f"{setting}: {path} is a file of the tracking store {store}, which an output "
            "never writes; pick a file outside the store"
        )
    try:
        mode: int | None = os.stat(real).st_mode
    except OSError:
        mode = None  # a new file
    if mode is None:
        return
    if not mode & 0o222:
        raise InputError(
            f"{setting}: {path} is read-only (mode {stat.S_IMODE(mode):o}); make it writable "
            "(chmod u+w) if it may be replaced, or pick another file"
        )
    head = b""
    with contextlib.suppress(OSError), open(real, "rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC or head.startswith(JOURNAL_HEAD):
        kind = "a SQLite database" if head == SQLITE_MAGIC else "the journal of tune studies"
        raise InputError(
            f"{setting}: {path} is {kind}, which an output never replaces; pick another file"
        )


def refuse_store_folder(folder: Path, setting: str) -> None:
    """An output folder is never one of a tracking store's own (its artifacts, outbox, ...)
    nor inside one: the store's files are written by the store alone."""
    real = Path(os.path.realpath(folder))
    store = _store_file(real / "-")
    if store is None and (real / STORE_DB).is_file() and not _works_in(real):
        store = real  # results beside a store's database, and not where the user works
    if store is not None:
        raise InputError(
            f"{setting}: {folder} is a folder of the tracking store {store}, which an output "
            "never writes into; pick a folder outside the store"
        )


# a store's own folders: MLflow's, the outbox, the served decisions' journal, tune's seats
STORE_FOLDERS = ("artifacts", "outbox", "mlruns", "mlartifacts", "journal", "tune-workers")
STORE_DB = "mlflow.db"  # a store's database; `mlflow.db.lock`, `mlflow.db-wal`... beside it
SERVER_PID = "server.pid"  # of `credit server start --dir FOLDER`, beside its database
WORKERS = ".workers"  # the seats of the workers of an Optuna journal, beside it


def _store_file(real: Path) -> Path | None:
    """The store folder whose own path `real` is (existing or new): the database or a
    file beside it named `mlflow.db...` (its lock, SQLite's journal, WAL and shared
    memory) or its server's pid file; any path inside the store's own folders
    (`STORE_FOLDERS`, a journal's seats). Other files beside a database are the user's:
    plain MLflow keeps `mlflow.db` in the project folder."""
    if real.name.startswith(STORE_DB):
        return real.parent
    for folder in real.parents:
        if (folder / STORE_DB).is_file():
            parts = real.relative_to(folder).parts
            if len(parts) > 1 and (parts[0] in STORE_FOLDERS or parts[0].endswith(WORKERS)):
                return folder
            if parts == (SERVER_PID,):
                return folder
    return None


def _works_in(folder: Path) -> bool:
    here = Path(os.path.realpath(Path.cwd()))
    return here == folder or folder in here.parents
