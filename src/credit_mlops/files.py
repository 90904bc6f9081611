"""Every path the tool reads or writes goes through here first.

A path given by the user becomes a checked path before any work: an input exists and is a
readable regular file; an output's folder takes a new file (proved by creating one: mode bits
lie for root and /proc); a member of an archive or a profile stays inside its folder. Every
write is atomic (own temporary file beside the target, fsync, os.replace): a reader sees the
old file or the whole new one, never a mix. Standard library only: free to import.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

from credit_mlops import owned_outputs
from credit_mlops.errors import InputError, name_too_long
from credit_mlops.kept_files import refuse_kept, refuse_store_folder
from credit_mlops.link_loops import refuse_loop
from credit_mlops.temp_names import is_temp, new_temp
from credit_mlops.written import note


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket"}


def input_file(path: Path, *, setting: str, what: str = "file", fix: str = "") -> Path:
    """An existing, readable regular file; never a pipe (waits) or a device (never ends)."""
    refuse_loop(path, setting)
    if not path.exists():
        raise InputError(f"{setting}: {what} {path} does not exist")
    if not path.is_file():
        kind = _KINDS.get(stat.S_IFMT(path.stat().st_mode), "a device")  # character or block
        link = f" (a link to {os.path.realpath(path)})" if path.is_symlink() else ""
        raise InputError(f"{setting}: {path} is {kind}{link}, not a regular file{fix}")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise InputError(f"{setting}: cannot read {path} ({_reason(exc)})") from None
    return path


def writable_dir(folder: Path, *, setting: str, create: bool = False) -> Path:
    """A folder that exists (or, with `create`, is made) and takes a new file."""
    refuse_loop(folder, setting)
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
        raise InputError(f"{setting}: {folder} is not a folder; name a folder")
    problem = probe_writable(folder)
    if problem:
        raise InputError(f"{setting}: cannot write in {folder} ({problem}); pick another folder")
    return folder


STDOUT = Path("-")


def output_file(path: Path, *, setting: str, not_same_as: Path | None = None) -> Path:
    """A file the tool will (re)write: not a folder, its folder exists and is writable.

    `-` is standard output. An existing symlink is written through (its target is
    replaced, the link stays); an existing device, pipe or socket (`/dev/stdout`) is
    written directly, never replaced. Folders are never created for an output file.
    """
    if path == STDOUT:
        return path
    refuse_loop(path, setting)
    if path.is_dir():
        raise InputError(f"{setting}: {path} is a folder; give a file name")
    if not_same_as is not None and _same(path, not_same_as):
        raise InputError(f"{setting}: {path} is the input file; it would be overwritten")
    real, special = write_target(path)
    if special:
        if not os.access(real, os.W_OK):
            raise InputError(f"{setting}: cannot write to {path}")
        return path
    refuse_kept(path, real, setting)
    writable_dir(real.parent if path.is_symlink() else path.parent, setting=setting)
    return path


def output_folder(folder: Path, *, setting: str) -> Path:
    """An output folder the user named, checked before any work: it may be new (it is made
    when the results are written), but the folder above it must exist - the same rule as
    for an output file, whose folder must exist. Nothing is created here. `-` means
    standard output to every output option, and a folder of files cannot go there."""
    if folder == STDOUT:
        raise InputError(
            f"{setting} -: a folder of files cannot go to standard output; name a folder"
        )
    refuse_loop(folder, setting)
    refuse_store_folder(folder, setting)
    if setting.startswith("--"):  # a flag's folder replaces only files credit wrote there
        owned_outputs.guard(folder)
    if folder.is_symlink() and not folder.exists():
        raise InputError(
            f"{setting}: {folder} is a link to {os.readlink(folder)}, which does not exist; "
            "create that folder or name another"
        )
    if folder.exists():
        return writable_dir(folder, setting=setting)
    if not folder.parent.is_dir():
        raise InputError(
            f"{setting}: folder {folder.parent} does not exist; create it first or pick "
            "another (the tool makes the folder you name, never the ones above it)"
        )
    problem = probe_writable(folder.parent)
    if problem:
        raise InputError(f"{setting} {folder}: cannot write there ({problem}); pick another folder")
    return folder


def write_target(path: Path) -> tuple[Path, bool]:
    """Where writing `path` really goes, and whether it is a special file (device, pipe,
    socket) to be written in place rather than replaced. Symlinks are followed, so a
    link is written through and never replaced by a regular file."""
    owned_outputs.check_link(path)  # but never out of an output folder
    try:
        mode = os.stat(path).st_mode  # the kernel follows links, /proc's magic ones too
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # realpath would give the link itself: replaced
            refuse_loop(path)
        if exc.errno == errno.ENAMETOOLONG:
            raise InputError(name_too_long(path)) from None
        return Path(os.path.realpath(path)), False  # new, or a dangling link's target
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return path, True  # opened through its links, e.g. /dev/stdout -> a pipe
    return Path(os.path.realpath(path)), False


def probe_writable(folder: Path) -> str | None:
    """None if a new file can be created in `folder`, else why not (one phrase)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".credit-probe-", dir=folder)
    except OSError as exc:
        return "read-only file system" if exc.errno == errno.EROFS else _reason(exc)
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


def _same(a: Path, b: Path) -> bool:
    try:  # through links, hard ones too
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


@contextlib.contextmanager
def atomic_write(
    path: Path, mode: Literal["w", "wb"] = "w", *, newline: str | None = None
) -> Iterator[IO[Any]]:
    """Write `path` whole or not at all, safe against concurrent writers of the same path.

    Each writer has its own temporary file in the target folder (same file system, so the
    rename is atomic); the data is fsynced before `os.replace` puts it in place. On any
    failure (or Ctrl-C) the temporary file is removed and the old file is left untouched.
    `-` is standard output; a symlink is written through; a device or pipe is written in
    place (it cannot be replaced, and must not be). Output folders: see `owned_outputs`.
    """
    if path == STDOUT:
        yield from _stdout(mode)
        return
    real, special = write_target(path)
    kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": newline}
    if special:
        with real.open(mode, **kwargs) as fh:  # type: ignore[call-overload]
            yield fh
        return
    _check_write(real)
    fd, tmp = new_temp(real)  # a killed writer's temporary file removed first
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:  # type: ignore[call-overload]
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _new_mode(real))
        _place(tmp, real)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a full disk is said with the file it stopped
        raise


def _check_write(real: Path) -> None:
    try:
        owned_outputs.check_write(real)
    except owned_outputs.ForeignFile as refused:  # off the list: the files removed again
        if refused.manifest:
            write_text(*refused.manifest)
        raise


def _place(tmp: str | Path, real: Path) -> None:
    """List `real` in its folder's `.credit-outputs` first (a full disk then places nothing
    and no file credit wrote is ever off the list), place it, note it for the run's upload."""
    manifest = owned_outputs.is_manifest(real)
    if not manifest and (entry := owned_outputs.manifest_after(real)):
        write_text(*entry)
    os.replace(tmp, real)
    if not manifest:
        note(real)


def _stdout(mode: str) -> Iterator[IO[Any]]:
    from credit_mlops.standard_output import stdout_stream

    stream: IO[Any] = stdout_stream() if "b" in mode else stdout_stream(text=True)
    yield stream
    stream.flush()


def temp_beside(path: Path) -> Path:
    """Where a writer that opens the file itself (Parquet, gzip) writes: a new temporary
    file beside `path`'s real target; for `-` or a device or pipe, the stream itself (`-`
    as it is: see `stdout_stream`). Finish with `publish`, clean up with `discard`."""
    if path == STDOUT:
        from credit_mlops.standard_output import stdout_stream

        stdout_stream()  # closed: said before any work
        return STDOUT
    real, special = write_target(path)
    if special:
        return real
    _check_write(real)
    fd, tmp = new_temp(real)  # a killed writer's temporary file removed first
    os.close(fd)
    return Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """fsync the finished temporary file, give it normal permissions, rename it into place
    (into the link's target for a symlink); a stream written in place is left as it is."""
    if not is_temp(tmp):
        return
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    real = write_target(path)[0]
    os.chmod(tmp, _new_mode(real))
    _place(tmp, real)


def discard(tmp: Path) -> None:
    """Remove an unfinished temporary file; never a stream or a file of the user's."""
    if is_temp(tmp):
        tmp.unlink(missing_ok=True)


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


def _new_mode(real: Path) -> int:
    """The permissions of a file about to replace `real`: those of the file it replaces (a
    file the user made private stays private), else the usual ones for a new file."""
    try:
        return stat.S_IMODE(os.stat(real).st_mode)
    except OSError:
        return 0o666 & ~_umask()


@functools.cache
def _umask() -> int:
    current = os.umask(0)  # it can only be read by setting it, so once
    os.umask(current)
    return current


def check_writable(folder: Path, flag: str = "--output") -> None:
    """Make `folder` (a default's folders above it too) and prove it takes a new file, before
    any work is done (exit 2): permissions alone do not stop root."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        problem = probe_writable(folder)
    except OSError as exc:
        problem = _reason(exc)
    if problem:
        raise InputError(f"{flag} {folder}: cannot write there ({problem}); pick a writable folder")
