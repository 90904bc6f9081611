"""Which files of an output folder credit wrote, so that it replaces those and nothing else.

A folder the user names (`--output-dir`, `credit report --output`) may hold files of the
user's own under the names a command writes (`predictions.csv`, `roc_curve.png`). Each such
folder keeps a small manifest, `.credit-outputs`: the JSON list of the names credit wrote
there (paths relative to the folder, `/`-separated). A file already there is replaced only if
its name is on that list; otherwise the command is refused, in one line naming the file, and
the files this process had newly made in that folder are removed again (and taken off the
list).

`credit_mlops.files` calls the hooks: `check_write` before a file is written, and
`manifest_after` once it is in place (the manifest itself is written through `files` too).
A command that knows the names it will write checks them all first (`refuse_foreign`), so
that a refusal comes before any file is written.

Standard library only: importing this costs nothing at start-up.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from credit_mlops.errors import InputError

MANIFEST = ".credit-outputs"

_GUARDED: set[str] = set()  # real paths of the folders whose files are checked
_MADE: dict[str, list[str]] = {}  # folder -> files this process made there (did not exist)


def guard(folder: Path) -> None:
    """From now on, writes into `folder` (and below it) follow the manifest rule; a new
    command's refusal there removes only the files made since."""
    real = os.path.realpath(folder)
    _GUARDED.add(real)
    _MADE.pop(real, None)


def _owner(real: Path) -> str | None:
    """The nearest guarded folder holding `real` (a real path), if any."""
    text = str(real)
    found = [g for g in _GUARDED if text.startswith(g + os.sep)]
    return max(found, key=len) if found else None


def _relative(folder: str, real: Path) -> str:
    return Path(os.path.relpath(real, folder)).as_posix()


MANIFEST_MAX = 4 << 20  # bytes: names of files, far above any folder credit writes into


def recorded(folder: Path | str) -> set[str]:
    """The names the manifest of `folder` lists; none if there is none. The list decides
    which files credit may replace, so it is input too: one that is not a regular file (a
    pipe would hang the read, a link to /dev/zero fill the memory), too large, unreadable
    or not a JSON list of names is refused (InputError), never read as empty or rewritten."""
    import stat

    path = Path(folder, MANIFEST)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise _not_the_list(path, exc.strerror or type(exc).__name__) from None
    if not stat.S_ISREG(mode):
        kind = (
            "a link"
            if stat.S_ISLNK(mode)
            else "a folder"
            if stat.S_ISDIR(mode)
            else ("a pipe or device")
        )
        raise _not_the_list(path, kind)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(MANIFEST_MAX + 1)
        data = json.loads(raw.decode("utf-8")) if len(raw) <= MANIFEST_MAX else None
    except OSError as exc:
        raise _not_the_list(path, exc.strerror or type(exc).__name__) from None
    except ValueError:  # not UTF-8, not JSON
        data = None
    if not isinstance(data, list) or not all(isinstance(name, str) for name in data):
        raise _not_the_list(path, "not the JSON list of names credit writes")
    return set(data)


def _not_the_list(path: Path, why: str) -> InputError:
    return InputError(
        f"{path} is not the list of the files credit wrote in that folder ({why}); remove "
        "it (then every file there counts as yours) or pick another folder"
    )


def foreign(folder: Path, patterns: Iterable[str]) -> list[Path]:
    """The files under `folder` matching `patterns` (names relative to it, `*` allowed) that
    exist and that credit did not write there."""
    ours = recorded(folder)
    found: list[Path] = []
    for pattern in patterns:
        candidates = (
            sorted(folder.glob(pattern)) if any(c in pattern for c in "*?[") else [folder / pattern]
        )
        for path in candidates:
            name = path.relative_to(folder).as_posix()
            if name != MANIFEST and os.path.lexists(path) and name not in ours:
                found.append(path)
    return found


def refusal(path: Path) -> InputError:
    return InputError(
        f"{path} is already there and credit did not write it; it would be replaced: move "
        "it away or pick another folder"
    )


class ForeignFile(InputError):
    """`refusal` of a write, with the folder's manifest to write again without the files this
    command had made there and removed (None: it lists none of them)."""

    def __init__(self, path: Path, manifest: tuple[Path, str] | None) -> None:
        super().__init__(str(refusal(path)))
        self.manifest = manifest


def refuse_foreign(folder: Path, patterns: Iterable[str]) -> None:
    """Guard `folder` and refuse, before anything is written, a name it would write over a
    file of the user's."""
    guard(folder)
    clash = foreign(folder, patterns)
    if clash:
        raise refusal(clash[0])


def check_link(path: Path) -> None:
    """A name in a guarded folder that is a symbolic link to a file outside the folder is
    not a file credit wrote there, whatever the list says (a link put in place of a listed
    file): writing through it would replace a file elsewhere. Refused (InputError)."""
    from credit_mlops.errors import InputError

    try:
        lexical = Path(os.path.realpath(path.parent), path.name)
    except (OSError, ValueError):
        return
    folder = _owner(lexical)
    if folder is None or not os.path.islink(lexical):
        return
    target = os.path.realpath(lexical)
    if _owner(Path(target)) != folder:
        raise InputError(
            f"{path} is a link to {target}, outside the output folder {folder}; credit "
            "replaces only the files it wrote there: remove the link or pick another folder"
        )


def check_write(real: Path) -> None:
    """Before `real` (a real path) is written: refused if it lies in a guarded folder, exists
    and credit did not write it there; the files this process newly made in that folder are
    removed first, so a refused command leaves none behind."""
    folder = _owner(real)
    if folder is None or real.name == MANIFEST:
        return
    if not os.path.lexists(real):
        _MADE.setdefault(folder, []).append(str(real))
        return
    if _relative(folder, real) in recorded(folder):
        return
    removed = _MADE.pop(folder, [])
    for made in removed:
        with contextlib.suppress(OSError):
            os.unlink(made)
    raise ForeignFile(
        real, _manifest_without(folder, [_relative(folder, Path(m)) for m in removed])
    )


def _manifest_without(folder: str, names: Iterable[str]) -> tuple[Path, str] | None:
    ours = recorded(folder)
    if not ours & set(names):
        return None
    return Path(folder, MANIFEST), json.dumps(sorted(ours - set(names)), indent=1) + "\n"


def manifest_after(real: Path) -> tuple[Path, str] | None:
    """After `real` was written: (manifest path, its new text) if the manifest of its
    guarded folder must now list it, else None."""
    folder = _owner(real)
    if folder is None or real.name == MANIFEST:
        return None
    return manifest_with(Path(folder), [_relative(folder, real)])


def manifest_with(folder: Path, names: Iterable[str]) -> tuple[Path, str] | None:
    """(manifest path, text) listing `names` besides the names already there; None if the
    manifest lists them all already."""
    ours = recorded(folder)
    new = set(names) - ours
    if not new:
        return None
    return folder / MANIFEST, json.dumps(sorted(ours | new), indent=1) + "\n"


def is_manifest(real: Path) -> bool:
    return real.name == MANIFEST
