"""The files this process wrote, so that a run uploads its own files and nothing else.

`credit evaluate`, `explain`, `fairness` and `monitor` write into a folder the user may name
(`--output-dir .`): uploading the whole folder would upload the user's other files, and the
store itself when it lies inside (each upload growing the next). Every file the tool writes
goes through `credit_mlops.files` (a test holds every writer to it), which notes each one
here; a run then uploads the files of its folder that this process wrote.
"""

from __future__ import annotations

import os
from pathlib import Path

_WRITTEN: set[str] = set()


def note(path: Path) -> None:
    """`path` (its real location) was written whole by this process."""
    _WRITTEN.add(os.path.realpath(path))


def written_in(folder: Path) -> list[Path]:
    """The files under `folder` this process wrote, that are still there, in path order."""
    root = os.path.realpath(folder)
    return sorted(Path(p) for p in _WRITTEN if p.startswith(root + os.sep) and os.path.isfile(p))
