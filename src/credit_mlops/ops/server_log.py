"""The team server's log file in its folder: opened to append only if it is a regular file
of its own, and read back from its end only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from credit_mlops.errors import InputError

LOG = "server.log"


def open_log(folder: Path) -> BinaryIO:
    """The server's log in `folder`, opened to append: a regular file of its own, never a
    pipe (the start would hang), a link (the log would go into the file it names) or a
    hard link to another file; InputError (one line) otherwise."""
    import errno
    import stat

    path = folder / LOG
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        why = "a symbolic link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        raise InputError(f"{path} cannot be the server's log ({why}); remove it") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        raise InputError(
            f"{path} is not a regular file of its own (a pipe, a device, or a hard link to "
            "another file), so not the server's log; remove it"
        )
    os.set_blocking(fd, True)
    return os.fdopen(fd, "ab")


def log_tail(folder: Path, size: int = 800) -> str:
    """The end of the server's log, for the line that says why it stopped ('' if none)."""
    try:
        fd = os.open(folder / LOG, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as fh:
        end = os.fstat(fd).st_size
        fh.seek(max(0, end - size))
        return fh.read(size).decode("utf-8", errors="replace")
