"""The decision journal: every decision served, appended as one JSON line.

Each worker process writes its own files (`decisions-YYYYMMDD-<pid>-<n>.jsonl`), so no two
processes ever append to one file. Within a process a lock orders the requests, and each
request's lines go out in one `write` on a file opened with O_APPEND before the response is
sent: a process killed at any moment leaves every answered request's lines whole in the
page cache (the kernel keeps them), and at most the request in flight is missing or cut
off. A cut-off last line is skipped by the reader. A new file starts each day (UTC) and
when one reaches the size limit. Columns may be dropped or written as a digest, for
privacy.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.serve.journal_key import KEY_FILE as KEY_FILE
from credit_mlops.serve.journal_key import existing_key as existing_key
from credit_mlops.serve.journal_key import hash_key as hash_key

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings

PREFIX = "decisions-"
JOURNAL = "journal"  # under the store folder unless serve.journal_dir says otherwise
SUFFIX = ".jsonl"


@dataclass(frozen=True)
class Privacy:
    drop: frozenset[str] = frozenset()
    hashed: frozenset[str] = frozenset()
    key: bytes = b""  # the journal's secret (hash_key): a digest cannot be recomputed without it

    def apply(self, applicant: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in applicant.items():
            if key in self.drop:
                continue
            out[key] = digest(value, self.key) if key in self.hashed else value
        return out


def digest(value: Any, key: bytes = b"") -> str:
    """A stable keyed digest of one value (the same value gives the same text under one
    key). Keyed, because a column worth hashing has few values (ages, postcodes): a plain
    hash of each is a table anyone can compute and read back."""
    return "hmac-sha256:" + hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()[:16]


class JournalFailure(Exception):
    """The journal cannot take a request's decisions (its message: the system's reason);
    a decision that cannot be journaled is not made."""


def _line(row: dict[str, Any]) -> bytes:
    return json.dumps(row, separators=(",", ":"), allow_nan=False).encode() + b"\n"


class Journal:
    """Appends decisions to JSON-lines files under `folder`, rotated by day and size."""

    def __init__(self, folder: Path, *, rotate_bytes: int, privacy: Privacy) -> None:
        self.folder = folder
        self.rotate_bytes = rotate_bytes
        self.privacy = privacy
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._day = ""
        self._size = 0
        self._part = 0
        self.failure: str | None = None  # why the last write failed; None once one succeeds
        folder.mkdir(parents=True, exist_ok=True)

    def record(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append `rows` (one request's decisions) as one write; JournalFailure (with the
        system's reason) if the journal cannot take them, until a write succeeds again."""
        if not rows:
            return
        try:  # strict JSON: NaN or infinity would make a line no other reader takes
            data = b"".join(_line(self.privacy.apply(r)) for r in rows)
        except ValueError:
            raise JournalFailure("a value is not a finite number") from None
        self._write(data)

    def probe(self) -> bool:
        """Whether the journal takes a write again after a failure (a blank line, which
        readers pass over, tried only while the last write failed)."""
        if self.failure is None:
            return True
        try:
            self._write(b"\n")
        except JournalFailure:
            return False
        return True

    def _write(self, data: bytes) -> None:
        with self._lock:
            try:
                self._append(data)
            except OSError as exc:  # a full disk, a read-only or failing file system
                self.failure = exc.strerror or type(exc).__name__
                raise JournalFailure(self.failure) from None
            self.failure = None

    def _append(self, data: bytes) -> None:
        fd = self._file(len(data))
        view, written = memoryview(data), 0
        try:
            while written < len(data):  # a regular file takes it in one write
                written += os.write(fd, view[written:])
        finally:
            self._size += written
            if 0 < written < len(data):  # a cut-off line ends this file: the next starts anew
                self.close()

    def _file(self, incoming: int) -> int:
        day = datetime.now(UTC).strftime("%Y%m%d")
        if self._fd is not None and os.fstat(self._fd).st_nlink == 0:
            # the file (or its folder) was removed while open: lines written there would be
            # kept nowhere. A new file is opened; no folder: the write fails (503), said.
            self.close()
        if self._fd is not None and day == self._day and self._size + incoming <= self.rotate_bytes:
            return self._fd
        if self._fd is not None and self._size == 0 and day == self._day:
            return self._fd  # one request bigger than the limit still goes in one file
        self.close()
        if day != self._day:
            self._day, self._part = day, 0
        while True:
            self._part += 1
            path = self.folder / f"{PREFIX}{day}-{os.getpid()}-{self._part}{SUFFIX}"
            try:  # O_EXCL: a restarted worker with a reused pid never appends to old files
                self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
            except FileExistsError:
                continue
            self._size = 0
            return self._fd

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def journal_folder(settings: Settings) -> Path:
    if settings.serve.journal_dir is not None:
        return settings.path(settings.serve.journal_dir)
    return settings.tracking.store_path(settings.root) / JOURNAL


def journal_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{PREFIX}*{SUFFIX}")) if folder.is_dir() else []


@dataclass
class Damaged:
    """Journal lines skipped as not written whole by `credit serve` (cut off by a crash,
    edited, another tool's): how many, and the first one's place."""

    lines: int = 0
    first: str | None = None

    def add(self, path: Path, number: int) -> None:
        self.lines += 1
        if self.first is None:
            self.first = f"{path.name} line {number}"


def read_journal(
    folder: Path, since: datetime | None = None, damaged: Damaged | None = None
) -> Iterator[dict[str, object]]:
    """Every whole decision of every journal file (at or after `since`); a line that is not
    one (cut off, not JSON, not an object with the decision's fields) is skipped and counted
    in `damaged`: an append-only file must not block every later report."""
    stamp = since.isoformat() if since else None
    skipped = damaged if damaged is not None else Damaged()
    for path in journal_files(folder):
        if stamp and path.name[len(PREFIX) : len(PREFIX) + 8] < stamp[:10].replace("-", ""):
            continue  # the whole file is from an earlier day
        with _open_regular(path) as fh:
            for number, line in enumerate(_lines(fh), 1):
                decided = _decision(line)
                if decided is None:
                    if line.strip():  # a blank line is no decision, and no damage either
                        skipped.add(path, number)
                    continue
                row, when = decided
                if since is None or when >= _aware(since):
                    yield row


MAX_LINE = 4 << 20  # far above any decision serve writes; a longer line is no decision


def _open_regular(path: Path) -> Any:
    """A journal file opened for reading, if it is a regular file of the folder: a link
    (to /dev/zero, to another team's file), a named pipe or a device is refused in one
    line, before a read that would hang or never end."""
    import errno
    import stat

    from credit_mlops.errors import DataError

    fix = f"move it out of {path.parent}; the journal folder holds credit serve's files only"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        what = "is a symbolic link" if exc.errno == errno.ELOOP else f"cannot be read ({exc})"
        raise DataError(f"journal file {path} {what}; {fix}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DataError(f"journal file {path} is not a regular file; {fix}")
    return os.fdopen(fd, "rb")


def _lines(fh: Any) -> Iterator[bytes]:
    """The file's lines, each read in bounded memory: a line longer than MAX_LINE (no
    decision) is given as a cut-off line, which is skipped as damage, and the rest of it
    is passed over."""
    while line := fh.readline(MAX_LINE):
        if len(line) == MAX_LINE and not line.endswith(b"\n"):
            while (rest := fh.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass
        yield line


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _when(row: dict[str, object]) -> datetime | None:
    """A decision's time: an ISO timestamp with its time zone, as serve writes it (None for
    anything else, which is no decision of ours)."""
    text = row.get("time")
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _decision(line: bytes) -> tuple[dict[str, object], datetime] | None:
    """A whole decision line and its time, or None for anything serve does not write."""
    if not line.endswith(b"\n"):
        return None
    try:
        row = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, not UTF-8
        return None
    if not isinstance(row, dict):
        return None
    fields = (row.get("time"), row.get("model"), row.get("version"), row.get("request_id"))
    if not all(isinstance(v, str) for v in fields) or not (
        str(row["version"]).isascii() and str(row["version"]).isdigit()
    ):
        return None
    when = _when(row)
    if when is None:
        return None
    p_bad = row.get("p_bad")
    if not isinstance(p_bad, int | float) or isinstance(p_bad, bool) or not 0 <= p_bad <= 1:
        return None
    return row, when
