"""The decision journal's secret key for hashed columns (`serve.journal_hash`): one random
key per journal folder, in `.hash-key`, readable by its owner only. A key file that anyone
else could read, replace or point elsewhere would let anyone recompute the digests."""

from __future__ import annotations

import os
from pathlib import Path

KEY_FILE = ".hash-key"


def hash_key(folder: Path) -> bytes:
    """The journal folder's secret for hashed columns: made once (random, readable by its
    owner only) and shared by every worker and restart that writes there."""
    folder.mkdir(parents=True, exist_ok=True)
    key = existing_key(folder)
    if key is None:
        _make_key(folder / KEY_FILE)
        key = existing_key(folder)
    assert key is not None
    return key


def existing_key(folder: Path) -> bytes | None:
    """The key kept in `folder` (None if there is none yet), used only if it is this user's
    own regular file that no one else may read or write: a link (to a public file: anyone
    recomputes the digests), a named pipe or device (reading it hangs the start) or a file
    others can read is refused in one line, naming the file and the fix."""
    import errno

    from credit_runtime.regular_file import NotRegularFile, read_regular

    path = folder / KEY_FILE
    try:
        key = read_regular(path, follow_links=False, check=_private)
    except FileNotFoundError:
        return None
    except NotRegularFile as exc:
        raise _bad_key(path, f"is {exc.kind}, not a regular file") from None
    except _NotPrivate as exc:
        raise _bad_key(path, str(exc)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _bad_key(path, "is a symbolic link") from None
        raise _bad_key(path, f"cannot be read ({exc.strerror or exc})") from None
    if len(key) < 32:  # a damaged or foreign file: digests would be guessable
        raise _bad_key(path, "holds no journal key (under 32 bytes)")
    return key


class _NotPrivate(Exception):
    """The key file is not this user's alone."""


def _private(info: os.stat_result) -> None:
    if info.st_uid != os.geteuid():
        raise _NotPrivate(
            f"belongs to another user (uid {info.st_uid}), who can read or replace it"
        )
    if info.st_mode & 0o077:
        raise _NotPrivate(f"can be read or written by others (mode {info.st_mode & 0o777:o})")


def _bad_key(path: Path, problem: str) -> Exception:
    from credit_mlops.errors import DataError

    fix = "remove it to make a new key (earlier hashed values will not match later ones)"
    if "mode" in problem:
        fix = f"chmod 600 {path}, or {fix}"
    elif "another user" in problem:
        fix = f"{fix}, or make it your own file with mode 600"
    return DataError(f"journal key {path} {problem}: {fix}")


def _make_key(path: Path) -> None:
    """A new random key, written whole under a temporary name (0600) and linked into place:
    a worker starting at the same moment finds no key or the whole one, never a half-written
    one, and a key another worker linked first is never replaced."""
    import secrets
    import tempfile

    key = secrets.token_bytes(32)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{KEY_FILE}-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker's key came first: that one is used
        except OSError:  # a file system without hard links: made in place, 0600 from the start
            _write_new(path, key)
    finally:
        os.unlink(temporary)


def _write_new(path: Path, key: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return  # another worker's key came first
    try:
        os.write(fd, key)
    finally:
        os.close(fd)
