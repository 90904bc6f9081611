"""Every path the tool reads or writes goes through here first.

A path given by the user (a flag, a setting) becomes a checked path before any work starts:
an input exists and is a readable file; an output's folder exists and takes a new file
(proved by creating one, since permission bits lie for root and for /proc); a member of an
archive or a profile stays inside the folder it belongs to. Every file the tool writes is
written atomically: its own temporary file in the target folder, fsync, os.replace, so a
reader sees the old file or the whole new one, never a mix, however many processes write.

Standard library only: importing this costs nothing at start-up.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

from credit_mlops.errors import InputError


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def input_file(path: Path, *, setting: str, what: str = "file") -> Path:
    """An existing, readable regular file."""
    if not path.exists():
        raise InputError(f"{setting}: {what} {path} does not exist")
    if not path.is_file():
        raise InputError(f"{setting}: {path} is not a file")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise InputError(f"{setting}: cannot read {path} ({_reason(exc)})") from None
    return path


def writable_dir(folder: Path, *, setting: str, create: bool = False) -> Path:
    """A folder that exists (or, with `create`, is made) and takes a new file."""
    if not folder.exists():
        if not create:
            raise InputError(
                f"{setting}: folder {folder} does not exist; create it first or pick another"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{setting}: cannot create folder {folder} ({_reason(exc)})") from None
    if not folder.is_dir():
        raise InputError(f"{setting}: {folder} is not a folder")
    problem = probe_writable(folder)
    if problem:
        raise InputError(f"{setting}: cannot write in {folder} ({problem}); pick another folder")
    return folder


def output_file(path: Path, *, setting: str, not_same_as: Path | None = None) -> Path:
    """A file the tool will (re)write: not a folder, its folder exists and is writable."""
    if path.is_dir():
        raise InputError(f"{setting}: {path} is a folder; give a file name")
    if not_same_as is not None and _same(path, not_same_as):
        raise InputError(f"{setting}: {path} is the input file; it would be overwritten")
    writable_dir(path.parent, setting=setting)
    return path


def probe_writable(folder: Path) -> str | None:
    """None if a new file can be created in `folder`, else why not (one phrase)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".credit-probe-", dir=folder)
    except OSError as exc:
        if exc.errno in (errno.EROFS,):
            return "read-only file system"
        return _reason(exc)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return None


def inside(path: Path, folder: Path, *, what: str) -> Path:
    """`path` resolved, refused unless it lies inside `folder` (no `..`, no absolute escape)."""
    resolved = (folder / path).resolve()
    base = folder.resolve()
    if resolved != base and base not in resolved.parents:
        raise InputError(f"{what} {path} lies outside {folder}")
    return resolved


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_component(text: str, *, limit: int = 60) -> str:
    """Any user string as one path component that stays where it is put.

    The only way a name (run, model, experiment, study...) becomes part of a path: letters,
    digits, '.', '_' and '-' are kept, every other run of characters becomes '_' (so '/',
    '\\', '..' and control characters cannot climb out or nest a folder), no leading dot (no
    hidden file, no '..'), at most `limit` characters. A name that had to change gets a
    short digest of the original, so two different names never share a folder.
    """
    cleaned = _UNSAFE.sub("_", text).lstrip(".")[:limit] or "unnamed"
    if cleaned == text:
        return cleaned
    import hashlib

    return f"{cleaned}-{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


@contextlib.contextmanager
def atomic_write(
    path: Path, mode: Literal["w", "wb"] = "w", *, newline: str | None = None
) -> Iterator[IO[Any]]:
    """Write `path` whole or not at all, safe against concurrent writers of the same path.

    Each writer has its own temporary file in the target folder (same file system, so the
    rename is atomic); the data is fsynced before `os.replace` puts it in place. On any
    failure (or Ctrl-C) the temporary file is removed and the old file is left untouched.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": newline}
        with os.fdopen(fd, mode, **kwargs) as fh:  # type: ignore[call-overload]
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def temp_beside(path: Path) -> Path:
    """A new, empty temporary file of this process in `path`'s folder (for writers that
    open the file themselves, e.g. Parquet); finish with `publish` or unlink it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """fsync the finished temporary file, give it normal permissions, rename it into place."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def write_text(path: Path, text: str) -> Path:
    with atomic_write(path, "w") as fh:
        fh.write(text)
    return path


def write_bytes(path: Path, content: bytes) -> Path:
    with atomic_write(path, "wb") as fh:
        fh.write(content)
    return path


def copy_file(source: Path, target: Path) -> Path:
    """Copy atomically: the target is the old file or the whole copy."""
    import shutil

    with source.open("rb") as src, atomic_write(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return target


def _umask() -> int:
    # os.umask can only be read by setting it; do it once and cache the answer.
    global _UMASK
    if _UMASK is None:
        current = os.umask(0)
        os.umask(current)
        _UMASK = current
    return _UMASK


_UMASK: int | None = None
