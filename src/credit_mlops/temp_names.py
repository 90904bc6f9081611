"""The temporary file a write makes beside its target, and the ones a killed writer left.

A write goes to `.NAME.PID.RANDOM.tmp` beside the target, then is renamed into place. A
process killed outright (SIGKILL, power cut) cannot remove it; its name carries the writer's
process id, so the next write of the same target removes the ones whose process is gone.
Only files of exactly that pattern, regular files (never a link), the user's own, whose
process no longer runs on this machine: a live writer's file and a user's file named like
one are kept. Standard library only: free to import.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

_RANDOM = r"[a-z0-9_]{8}"  # tempfile's own random part: eight of these characters


def new_temp(real: Path) -> tuple[int, str]:
    """A new temporary file beside `real` (descriptor, path), named for this process; the
    ones a gone writer of `real` left are removed first."""
    remove_left_over(real)
    return tempfile.mkstemp(prefix=f".{real.name}.{os.getpid()}.", suffix=".tmp", dir=real.parent)


def remove_left_over(real: Path) -> list[Path]:
    """Remove (and return) the temporary files of `real` whose writing process is gone."""
    pattern = re.compile(rf"\.{re.escape(real.name)}\.([0-9]{{1,10}})\.{_RANDOM}\.tmp")
    prefix = f".{real.name}."
    removed: list[Path] = []
    try:
        entries = [e for e in os.scandir(real.parent) if e.name.startswith(prefix)]
    except OSError:  # an unreadable folder: the write itself says what is wrong
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid():
                os.unlink(entry.path)  # unlink never follows a link: a link is never seen here
                removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    """True unless no process `pid` exists; this process and pid 0 count as alive."""
    if pid <= 0 or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (EPERM): alive
        return True
    return True


def is_temp(path: Path) -> bool:
    """A temporary file of ours (not a stream written in place, not a link)."""
    return path.name.startswith(".") and path.name.endswith(".tmp") and not path.is_symlink()
