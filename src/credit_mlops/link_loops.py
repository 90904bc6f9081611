"""A symbolic link that leads back to itself, said the same way for every path a user gives.

A path whose resolution loops (a link to itself, two links to each other, or any path below
such a link) can be neither read, written nor made. `exists()` answers False for it (said as
"does not exist"), `resolve()` raises, `mkdir` says "File exists"; `os.stat` alone says what
it is (ELOOP). Every check of a user's path (input, output, folder, config, store, journal,
server folder) asks here first. Standard library only: free to import.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from credit_mlops.errors import InputError


def looping_part(path: str | Path) -> Path | None:
    """The part of `path` (itself, or the first folder above it) whose symbolic links lead
    back to themselves, or None when its resolution does not loop."""
    path = Path(path)
    if not _loops(path):
        return None
    for end in range(1, len(path.parts) + 1):
        part = Path(*path.parts[:end])
        if _loops(part):
            return part
    return path  # looped once, no longer: said as the whole path


def loop_message(part: Path, setting: str = "") -> str:
    prefix = f"{setting}: " if setting else ""
    return (
        f"{prefix}{part} is a symbolic link that leads back to itself; remove it or give "
        "another path"
    )


def refuse_loop(path: str | Path, setting: str = "") -> None:
    """Exit 2 in one line, naming the setting, when `path`'s resolution loops."""
    part = looping_part(path)
    if part is not None:
        raise InputError(loop_message(part, setting))


def _loops(path: Path) -> bool:
    try:
        os.stat(path)  # follows every link, as opening the path would
    except OSError as exc:
        return exc.errno == errno.ELOOP
    except ValueError:  # an embedded NUL: said by the check that reads the path
        return False
    return False
