"""Standard output as an output file (`-o -`): descriptor 1 itself, checked once."""

from __future__ import annotations

import os
import sys
from typing import Any

from credit_mlops.errors import InputError

CLOSED = (
    "standard output is closed; credit writes its results there: send it to /dev/null "
    "instead of closing it"
)


def check_open() -> None:
    """Standard output can take what the command writes; closed or read-only: InputError,
    before any work (results would otherwise be lost in silence, or fail after the work)."""
    if sys.stdout is None or sys.stdout.closed or not _writable_fd(sys.stdout):
        raise InputError(CLOSED)


def stdout_stream(*, text: bool = False) -> Any:
    """Standard output (`-o -`): file descriptor 1 itself, whatever it is (a pipe, a file, a
    socket), never `/dev/stdout` opened by path (a socket refuses it); closed: InputError."""
    check_open()
    return sys.stdout if text else sys.stdout.buffer


def _writable_fd(stream: Any) -> bool:
    """Descriptor 1 is open for writing (not closed, nor opened read-only by the caller)."""
    import fcntl

    try:
        return fcntl.fcntl(stream.fileno(), fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDONLY
    except (OSError, ValueError, AttributeError):  # no descriptor: a stream of a test
        return True
