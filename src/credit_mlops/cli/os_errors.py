"""File-system failures any command may meet, as one line and an exit code: a name too long
for the file system, a full disk, a standard output that cannot take the output."""

from __future__ import annotations

import errno
import os

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def os_error_line(exc: OSError) -> tuple[str, int] | None:
    """(line, exit code) for a file-system failure any reader or writer may meet: a name
    too long, a full disk; None for anything else (a bug: its trace is kept)."""
    if exc.errno == errno.ENAMETOOLONG:
        from credit_mlops.errors import name_too_long

        return name_too_long(exc.filename or "given"), 2
    if exc.errno not in _DISK_FULL:
        return None
    # Outputs are written whole or not at all, so what was there before is kept; the user
    # needs the place, not a trace.
    if exc.filename or not _stdout_full():
        where = f" writing {exc.filename}" if exc.filename else ""
        return (
            f"the disk is full{where} ({exc.strerror}); nothing was half-written and earlier "
            "files are kept - free space and run again"
        ), 1
    # standard output sent to a full file or device
    return (
        f"standard output could not take the command's output ({exc.strerror}); send it "
        "where there is room - anything the command logged to the tracking store is kept"
    ), 1


def _stdout_full() -> bool:
    """Whether standard output is what ran out of room: a device that answers 'full'
    (/dev/full) or a file on a file system with no block left."""
    import stat

    try:
        mode = os.fstat(1).st_mode
        if stat.S_ISCHR(mode):
            return not os.isatty(1)  # a terminal never runs out of room
        return stat.S_ISREG(mode) and os.fstatvfs(1).f_bavail == 0
    except OSError:
        return False
