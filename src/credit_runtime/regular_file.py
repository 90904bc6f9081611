"""Reading back a file the tool (or a model) wrote, as the regular file it must be.

One open, one read: a named pipe would wait for ever, a device never end, a folder fail
late, and a link (when links are refused) point anywhere; each is refused on the open
descriptor, so a file swapped in after a check is refused too. Callers turn the OSError
into their own one-line message.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFDIR: "a folder",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


class NotRegularFile(OSError):
    """`path` is a pipe, device, socket or folder; `kind` says which."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(errno.EINVAL, f"is {kind}, not a regular file", str(path))
        self.kind = kind


def read_regular(
    path: Path,
    *,
    follow_links: bool = True,
    check: Callable[[os.stat_result], None] | None = None,
) -> bytes:
    """The bytes of the regular file `path`. Without `follow_links`, a symbolic link is
    refused (OSError ELOOP); `check` may refuse the file by its status (owner, mode) before
    a byte is read. Raises OSError (NotRegularFile for a pipe, device, socket or folder)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
    if not follow_links:
        flags |= os.O_NOFOLLOW
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, _KINDS.get(stat.S_IFMT(info.st_mode), "not a file"))
        if check is not None:
            check(info)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
