"""The decision journal: every line once under concurrent writers, rotation by size, the
privacy settings, and a line cut off by a killed process skipped by the reader."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from credit_mlops.serve.journal import Journal, Privacy, digest, journal_files, read_journal


def _rows(request: int, n: int) -> list[dict[str, object]]:
    now = datetime.now(UTC).isoformat()
    return [
        {
            "time": now,
            "request_id": f"r{request}",
            "row": i,
            "model": "m",
            "version": "1",
            "alter": 30 + i,
            "hoehe": 1000,
            "p_bad": 0.25,
        }
        for i in range(n)
    ]


def test_concurrent_requests_are_each_written_once_and_whole(tmp_path: Path) -> None:
    journal = Journal(tmp_path, rotate_bytes=8192, privacy=Privacy())

    def writer(start: int) -> None:
        for request in range(start, start + 150):
            journal.record(_rows(request, 3))

    threads = [threading.Thread(target=writer, args=(k * 1000,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    journal.close()
    rows = list(read_journal(tmp_path))
    keys = [(r["request_id"], r["row"]) for r in rows]
    assert len(keys) == 8 * 150 * 3 and len(set(keys)) == len(keys)
    files = journal_files(tmp_path)
    assert len(files) > 1  # rotated by size
    assert all(f.stat().st_size <= 8192 for f in files)
    # a request's lines stay together in one file, in order
    by_request: dict[str, list[int]] = {}
    for r in rows:
        by_request.setdefault(str(r["request_id"]), []).append(int(r["row"]))
    assert all(v == [0, 1, 2] for v in by_request.values())


def test_dropped_and_hashed_columns(tmp_path: Path) -> None:
    journal = Journal(
        tmp_path, rotate_bytes=1 << 20, privacy=Privacy(frozenset({"alter"}), frozenset({"hoehe"}))
    )
    journal.record(_rows(1, 2))
    journal.close()
    rows = list(read_journal(tmp_path))
    assert all("alter" not in r for r in rows)
    assert [r["hoehe"] for r in rows] == [digest(1000)] * 2
    assert digest(1000) != digest(1001) and "1000" not in digest(1000)


def test_a_line_cut_off_by_a_kill_is_skipped(tmp_path: Path) -> None:
    journal = Journal(tmp_path, rotate_bytes=1 << 20, privacy=Privacy())
    journal.record(_rows(1, 2))
    journal.close()
    (path,) = journal_files(tmp_path)
    with path.open("ab") as fh:
        fh.write(json.dumps(_rows(2, 1)[0]).encode()[:40])  # no newline: the write was cut
    assert [r["request_id"] for r in read_journal(tmp_path)] == ["r1", "r1"]


def test_since_keeps_later_decisions_only(tmp_path: Path) -> None:
    journal = Journal(tmp_path, rotate_bytes=1 << 20, privacy=Privacy())
    old = _rows(1, 1)
    old[0]["time"] = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    journal.record(old)
    journal.record(_rows(2, 1))
    journal.close()
    since = datetime.now(UTC) - timedelta(hours=1)
    assert [r["request_id"] for r in read_journal(tmp_path, since)] == ["r2"]
    assert len(list(read_journal(tmp_path))) == 2


def test_a_new_journal_never_appends_to_an_old_file(tmp_path: Path) -> None:
    first = Journal(tmp_path, rotate_bytes=1 << 20, privacy=Privacy())
    first.record(_rows(1, 1))
    first.close()
    second = Journal(tmp_path, rotate_bytes=1 << 20, privacy=Privacy())  # same pid
    second.record(_rows(2, 1))
    second.close()
    assert len(journal_files(tmp_path)) == 2


@pytest.mark.parametrize(
    "line",
    [
        b"garbage\n",
        b"[1, 2, 3]\n",
        b'"str"\n',
        b'{"time": 12345, "model": "m", "version": "1", "request_id": "x", "p_bad": 0.1}\n',
        b'{"time": "t", "model": "m", "version": "abc", "request_id": "x", "p_bad": 0.1}\n',
        b'{"time": "t", "model": "m", "version": "1", "request_id": "x", "p_bad": 7}\n',
        b'{"time": "zzz", "model": "m", "version": "1", "request_id": "x", "p_bad": 0.1}\n',
        b'{"time": "2026-12-07T10:00:00", "model": "m", "version": "1", "request_id": "x", '
        b'"p_bad": 0.1}\n',  # no time zone: not a time serve writes
        b'{"time": "' + b"2" * 100_000 + b'", "model": "m", "version": "1", '
        b'"request_id": "x", "p_bad": 0.1}\n',
        b'{"time": "t", "model": "m", "vers\n',  # cut off by a crash, then more lines
        b"\x00\xff\xfe\n",
    ],
)
def test_a_damaged_line_is_skipped_and_counted(tmp_path: Path, line: bytes) -> None:
    from credit_mlops.serve.journal import Damaged

    journal = Journal(tmp_path, rotate_bytes=1 << 20, privacy=Privacy())
    journal.record(_rows(1, 2))
    journal.close()
    (path,) = journal_files(tmp_path)
    path.write_bytes(path.read_bytes() + line + b"\n" + path.read_bytes())
    damaged = Damaged()
    assert len(list(read_journal(tmp_path, damaged=damaged))) == 4
    assert damaged.lines == 1 and damaged.first == f"{path.name} line 3"


def test_hashed_values_are_keyed_by_the_journal_folder(tmp_path: Path) -> None:
    import hashlib

    from credit_mlops.serve.journal import KEY_FILE, hash_key

    key = hash_key(tmp_path)
    assert hash_key(tmp_path) == key and len(key) == 32  # made once, then shared
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert digest(21, key) == digest(21, key) != digest(22, key)
    plain = hashlib.sha256(b"21").hexdigest()[:16]
    assert plain not in digest(21, key) and digest(21, key) != digest(21, hash_key(tmp_path / "b"))


@pytest.mark.parametrize("kind", ["link to /dev/zero", "named pipe", "link to a file"])
def test_a_journal_file_that_is_not_a_regular_file_is_one_line(tmp_path: Path, kind: str) -> None:
    """Read back by `credit monitor --served`: /dev/zero would never end (memory without
    bound), a named pipe would wait for ever, a link would read someone else's file."""
    import os

    from credit_mlops.errors import DataError
    from credit_mlops.serve.journal import PREFIX, SUFFIX

    path = tmp_path / f"{PREFIX}20261207-000000{SUFFIX}"
    if kind == "named pipe":
        os.mkfifo(path)
    else:
        other = tmp_path / "elsewhere.jsonl"
        other.write_text(json.dumps(_rows(1, 1)[0]) + "\n")
        path.symlink_to("/dev/zero" if kind == "link to /dev/zero" else other)
    with pytest.raises(DataError, match=r"journal file .* (symbolic link|not a regular file)"):
        list(read_journal(tmp_path))


def test_a_line_without_end_is_read_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_mlops.serve import journal as module
    from credit_mlops.serve.journal import Damaged

    monkeypatch.setattr(module, "MAX_LINE", 64)
    journal = Journal(tmp_path, rotate_bytes=1 << 20, privacy=Privacy())
    journal.record(_rows(1, 1))
    journal.close()
    (path,) = journal_files(tmp_path)
    path.write_bytes(b"x" * 1000 + b"\n")  # one line far longer than any decision
    damaged = Damaged()
    assert list(read_journal(tmp_path, damaged=damaged)) == []
    assert damaged.lines == 1


def test_a_journal_folder_whose_parent_is_missing_is_refused_before_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one rule of every output folder: made if missing, never the folders above it."""
    from credit_mlops.config.loader import load_settings
    from credit_mlops.errors import InputError
    from credit_mlops.serve.run import make_service

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDIT_SERVE__JOURNAL_DIR", str(tmp_path / "no" / "such" / "j"))
    with pytest.raises(InputError, match=r"serve\.journal_dir: folder .* does not exist"):
        make_service(load_settings(), "m@production")
    assert not (tmp_path / "no").exists()
