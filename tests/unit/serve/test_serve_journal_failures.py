"""A decision journal that cannot be written (a full disk, a read-only or failing file
system): every decision is refused 503 in the usual error shape, one log line each, and
/readyz says not ready with the reason until a journal write succeeds again."""

from __future__ import annotations

import errno
import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from credit_mlops.lifecycle.resolve import ModelRef
from credit_mlops.serve.journal import Journal, JournalFailure, Privacy, journal_files
from credit_mlops.serve.scorer import Scorer

APPLICANT = {"laufkont": 1, "laufzeit": 18, "alter": 30}
FULL = "the decision journal cannot be written (No space left on device): no decision is made"


def _decide(frame: Any, k: int, wait: bool = True) -> Any:
    import numpy as np

    from credit_runtime.model import Decided

    p = np.full(len(frame), 0.1)
    return Decided(p, p >= 0.5, np.full(len(frame), 640.0), [[None] * len(frame)] * k)


def _app(folder: Path) -> Any:
    from credit_mlops.serve.app import Limits, Service, build_app
    from credit_mlops.serve.follow import Holder, Served
    from credit_mlops.serve.metrics import make_metrics

    ref = ModelRef("models:/m/1", "run1", "m", "1")
    scorer = Scorer(0.5, (5.0, 1.0), "d", _decide, quick=True)
    holder = Holder("m@production", lambda: ref, lambda r: scorer)
    holder.current = Served(ref, scorer, "now")
    journal = Journal(folder, rotate_bytes=1 << 20, privacy=Privacy())
    service = Service(holder, journal, make_metrics(), Limits(4, 10_000, 10), None, None, 3600)
    return build_app(service)


def _call(app: Any, method: str, path: str, data: object = None) -> tuple[int, Any]:
    """One request straight to the ASGI application, on an asyncio loop in this thread."""
    import asyncio

    body = b"" if data is None else json.dumps(data).encode()
    scope = {
        "type": "http", "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "server": ("127.0.0.1", 8080), "client": ("127.0.0.1", 1),
        "headers": [(b"content-type", b"application/json")],
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(data)


def test_a_full_journal_disk_refuses_decisions_503_and_is_not_ready_until_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(tmp_path)
    assert _call(app, "POST", "/v1/decisions", APPLICANT)[0] == 200
    real_write = os.write

    def full(fd: int, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("credit_mlops.serve.journal.os.write", full)
    caplog.set_level(logging.INFO, logger="credit.serve")
    for _ in range(2):
        status, answer = _call(app, "POST", "/v1/decisions", [APPLICANT])
        assert status == 503, answer
        assert answer["error"] == FULL and answer["column"] is None and answer["request_id"]
        assert "decisions" not in answer
    refused = [r for r in caplog.records if r.name == "credit.serve"]
    assert len(refused) == 2 and all(r.exc_info is None for r in refused)  # no traceback
    assert all(FULL in r.getMessage() and "\n" not in r.getMessage() for r in refused)
    status, ready = _call(app, "GET", "/readyz")
    assert status == 503 and ready["ready"] is False and ready["journal_failure"] == FULL
    assert ready["status"] == "degraded"
    monkeypatch.setattr("credit_mlops.serve.journal.os.write", real_write)  # space again
    status, ready = _call(app, "GET", "/readyz")  # the probe's blank line is written
    assert status == 200 and ready["ready"] is True and ready["journal_failure"] is None
    assert _call(app, "POST", "/v1/decisions", APPLICANT)[0] == 200
    lines = b"".join(p.read_bytes() for p in journal_files(tmp_path)).splitlines()
    assert [json.loads(line)["row"] for line in lines if line.strip()] == [0, 0]


def test_a_write_cut_off_by_a_full_disk_leaves_no_line_joined_to_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_mlops.serve.journal import read_journal

    journal = Journal(tmp_path, rotate_bytes=1 << 20, privacy=Privacy())
    row = {"time": "2026-12-07T12:00:00+00:00", "model": "m", "version": "1",
           "request_id": "r", "p_bad": 0.1}  # fmt: skip
    journal.record([row])
    real_write = os.write
    calls = []

    def half_then_full(fd: int, data: Any) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))  # the disk took 10 bytes, then filled
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("credit_mlops.serve.journal.os.write", half_then_full)
    with pytest.raises(JournalFailure, match="No space left on device"):
        journal.record([{**row, "request_id": "cut"}])
    assert journal.failure == "No space left on device"
    monkeypatch.setattr("credit_mlops.serve.journal.os.write", real_write)
    journal.record([{**row, "request_id": "after"}])
    journal.close()
    assert journal.failure is None
    assert [r["request_id"] for r in read_journal(tmp_path)] == ["r", "after"]


def test_a_real_full_file_system_under_the_journal(tmp_path: Path) -> None:
    """A real tmpfs filled up (root mounts one), then given space again."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a file system")
    mount = tmp_path / "tiny"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        app = _app(mount / "journal")
        assert _call(app, "POST", "/v1/decisions", APPLICANT)[0] == 200
        with (mount / "fill").open("wb", buffering=0) as fh, pytest.raises(OSError):
            while True:  # the journal's disk fills up
                fh.write(b"\0" * 4096)
        for _ in range(10):  # the journal file's last page takes a few requests more
            status, answer = _call(app, "POST", "/v1/decisions", [APPLICANT] * 10)
            if status != 200:
                break
        assert status == 503 and answer["error"] == FULL
        assert _call(app, "GET", "/readyz")[0] == 503
        (mount / "fill").unlink()
        assert _call(app, "GET", "/readyz")[0] == 200
        assert _call(app, "POST", "/v1/decisions", APPLICANT)[0] == 200
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_journal_removed_while_open_is_never_written_into_the_void(tmp_path: Path) -> None:
    """The open file removed: the next decision goes to a new file. The whole folder
    removed: the write fails (503 upstream) instead of landing in a deleted file."""
    import shutil

    folder = tmp_path / "journal"
    journal = Journal(folder, rotate_bytes=1 << 20, privacy=Privacy())
    journal.record([{"n": 1}])
    [first] = list(folder.iterdir())
    first.unlink()
    journal.record([{"n": 2}])
    [second] = list(folder.iterdir())
    assert json.loads(second.read_text()) == {"n": 2}
    shutil.rmtree(folder)
    with pytest.raises(JournalFailure):
        journal.record([{"n": 3}])
    assert journal.failure
    folder.mkdir()
    journal.record([{"n": 4}])  # the folder back: written again, and the failure cleared
    assert journal.failure is None
    assert [json.loads(p.read_text()) for p in folder.iterdir()] == [{"n": 4}]
