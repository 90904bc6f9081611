"""Files an output never replaces, whatever the user points `-o` at: a file without a
write bit, a SQLite database, a file of a tracking store's artifacts or outbox.

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


def refuse_kept(path: Path, real: Path, setting: str) -> None:
    """An output never replaces a file someone keeps: one without a write bit (replacing it
    by rename would ignore that, as root or as the folder's owner), a SQLite database (a
    tracking store), or a path of a store's own: its database and the files SQLite and its
    lock keep beside it (`mlflow.db*`), or anything, new or not, in its artifacts or outbox."""
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
    if head == SQLITE_MAGIC:
        raise InputError(
            f"{setting}: {path} is a SQLite database, which an output never replaces; pick "
            "another file"
        )


def refuse_store_folder(folder: Path, setting: str) -> None:
    """An output folder is never one of a tracking store's own (its artifacts, outbox, ...)
    nor inside one: the store's files are written by the store alone."""
    store = _store_file(Path(os.path.realpath(folder)) / "-")
    if store is not None:
        raise InputError(
            f"{setting}: {folder} is a folder of the tracking store {store}, which an output "
            "never writes into; pick a folder outside the store"
        )


STORE_FOLDERS = ("artifacts", "outbox", "mlruns", "mlartifacts")
STORE_DB = "mlflow.db"  # a store's database; `mlflow.db.lock`, `mlflow.db-wal`... beside it


def _store_file(real: Path) -> Path | None:
    """The store folder whose own path `real` is (existing or new): the database or a
    file beside it named `mlflow.db...` (its lock, SQLite's journal, WAL and shared
    memory), or any path inside the artifacts, outbox, mlruns or mlartifacts of a folder
    holding `mlflow.db`."""
    if real.name.startswith(STORE_DB):
        return real.parent
    for folder in real.parents:
        if (folder / STORE_DB).is_file():
            parts = real.relative_to(folder).parts
            if len(parts) > 1 and parts[0] in STORE_FOLDERS:
                return folder
    return None
