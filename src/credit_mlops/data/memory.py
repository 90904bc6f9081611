"""Will it fit: a memory estimate checked before rows are made, so that a request for
10^11 synthetic applicants is one line at once instead of minutes of swapping and a kill.

The bound is the memory available now (MemAvailable, and the container's cgroup limit
when there is one); the estimate is what the frame and its working copies take.
"""

from __future__ import annotations

import os
from pathlib import Path

from credit_mlops.errors import InputError


def available_bytes() -> int | None:
    """Memory this process may still take, or None when the system does not say."""
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            found.append(max(int(limit) - used, 0))
    except (OSError, ValueError):
        pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError):
            return None
    return min(found)


def check_rows_fit(rows: int, bytes_per_row: int, *, flag: str = "--rows") -> None:
    """Refuse (exit 2) a row count whose estimate exceeds the memory available."""
    need = rows * bytes_per_row
    have = available_bytes()
    if have is not None and need > have:
        most = max(have // bytes_per_row, 0)
        raise InputError(
            f"{flag} {rows:,} needs about {_size(need)} of memory and {_size(have)} is "
            f"available; ask for at most {most:,} rows (or write several files)"
        )


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"
