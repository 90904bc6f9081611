"""Standard output as an output file (`-o -`): descriptor 1 itself, checked once."""

from __future__ import annotations

import os
import sys
from typing import Any

from credit_mlops.errors import InputError


def stdout_stream(*, text: bool = False) -> Any:
    """Standard output (`-o -`): file descriptor 1 itself, whatever it is (a pipe, a file, a
    socket), never `/dev/stdout` opened by path (a socket refuses it); closed: InputError."""
    if sys.stdout is None or sys.stdout.closed or not _writable_fd(sys.stdout):
        raise InputError("standard output is closed; give -o a file name instead of '-'")
    return sys.stdout if text else sys.stdout.buffer


def _writable_fd(stream: Any) -> bool:
    """Descriptor 1 is open for writing (not closed, nor opened read-only by the caller)."""
    import fcntl

    try:
        return fcntl.fcntl(stream.fileno(), fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDONLY
    except (OSError, ValueError, AttributeError):  # no descriptor: a stream of a test
        return True
