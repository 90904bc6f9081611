"""How many folds a worker fits at once: this machine's cores shared among the `credit tune`
workers running on it.

Each worker holds a seat, an empty file named `<host>-<pid>` in a folder beside its study's
journal file (or in the project's `.credit/` for a database storage). Before each trial a
worker counts the seats of live processes on this host and fits `cores // live` folds at once
(at least one), so one worker alone uses every core and two workers one core each. A seat
left by a killed worker names a process that is gone: it is not counted, and is removed.
Only speed depends on the count; the fold scores do not (see `objective.evaluate`).
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from credit_mlops.processes.identity import alive, this_process


def cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's share)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def live_seats(folder: Path) -> int:
    """The seats in `folder` held by live processes of this host; stale ones are removed."""
    host = socket.gethostname()
    live = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    for entry in entries:
        owner, _, pid = entry.name.rpartition("-")
        if owner != host or not (pid.isascii() and pid.isdigit()):
            continue
        if alive(int(pid)):
            live += 1
        else:
            with contextlib.suppress(OSError):  # another worker removed it first
                entry.unlink()
    return live


def folder_for(storage_url: str, root: Path) -> Path:
    """The seats' folder: beside a journal file, or in the project's `.credit/` when the
    study is in a database."""
    if "://" in storage_url:
        return root / ".credit" / "tune-workers"
    return Path(storage_url + ".workers")


def jobs(folder: Path, cores_here: int | None = None) -> int:
    """Folds to fit at once: this machine's cores over the live workers (at least 1); 1 for
    a process that holds no seat in `folder` (it cannot tell who else is running)."""
    if not (folder / this_process()).exists():
        return 1
    return max(1, (cores_here or cores()) // max(1, live_seats(folder)))


@contextlib.contextmanager
def seat(folder: Path) -> Iterator[Path | None]:
    """Hold this process's seat in `folder` for the block; None when the folder cannot be
    written (then `jobs` says 1). A file or a link in the folder's place is refused: seats
    (and the stale ones removed) are never looked for in a folder the link names."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        from credit_mlops.errors import InputError

        kind = "a link" if folder.is_symlink() else "a file"
        raise InputError(
            f"{folder} is where the workers of a study keep their seats, and it is {kind}; "
            "remove it (credit tune makes the folder)"
        )
    path = folder / this_process()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError:
        yield None
        return
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
