"""What the tool reads back (holdout.json, reference.json, the explainer's background,
promotion and tuning tags) is checked: corrupted, empty or foreign content is one line,
exit 2, naming the file and the fix; never a traceback, never a silent fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.fake_store import FakeStore

from credit_mlops.errors import InputError
from credit_mlops.explain.background import ARTIFACT as BACKGROUND
from credit_mlops.explain.service import stored_background
from credit_mlops.lifecycle.evaluation_target import HOLDOUT, kept_rows
from credit_mlops.lifecycle.promotion import PROMOTION_TAG, history
from credit_mlops.lifecycle.resolve import ModelRef
from credit_mlops.monitor.monitor import reference_of
from credit_mlops.monitor.reference import ARTIFACT as REFERENCE
from credit_mlops.readback import json_file, parsed
from credit_mlops.tracking.records import VersionRecord

BROKEN = {
    "empty": b"",
    "blank": b" \n\t",
    "truncated": b'{"test_rows": [1, 2',
    "binary": bytes(range(256)),
    "utf-16": '{"test_rows": []}'.encode("utf-16"),
    "nul": b"\x00" * 16,
    "not json": b"hello",
    "nested too deep": b"[" * 100_000 + b"]" * 100_000,
    "huge number": b'{"test_rows": [' + b"9" * 5_000 + b"]}",
}
FOREIGN = {
    "a list": "[1, 2]",
    "null": "null",
    "a string": '"x"',
    "no rows": '{"data_digest": "abc"}',
    "rows as text": '{"test_rows": "all", "data_digest": "abc"}',
    "negative row": '{"test_rows": [-1], "data_digest": "abc"}',
    "float row": '{"test_rows": [1.5], "data_digest": "abc"}',
    "bool row": '{"test_rows": [true], "data_digest": "abc"}',
    "digest as number": '{"test_rows": [1], "data_digest": 3}',
    "a row twice": '{"test_rows": [4, 2, 4], "data_digest": "abc"}',
}


def _store(tmp_path: Path, artifact: str, content: bytes) -> tuple[FakeStore, object]:
    store = FakeStore()
    run = store.add_run(run_id="r1")
    path = tmp_path / Path(artifact).name
    path.write_bytes(content)
    store.artifacts[("r1", artifact)] = path
    return store, run


def _one_line(exc: pytest.ExceptionInfo[InputError], *needles: str) -> None:
    text = str(exc.value)
    assert "\n" not in text and exc.value.exit_code == 2
    for needle in needles:
        assert needle in text, (needle, text)


@pytest.mark.parametrize("content", BROKEN.values(), ids=BROKEN.keys())
def test_a_corrupted_holdout_is_one_line(tmp_path: Path, content: bytes) -> None:
    store, run = _store(tmp_path, HOLDOUT, content)
    with pytest.raises(InputError) as caught:
        kept_rows(store, run)  # type: ignore[arg-type]
    _one_line(caught, "results/holdout.json of run r1", "--data FILE")


@pytest.mark.parametrize("content", FOREIGN.values(), ids=FOREIGN.keys())
def test_a_foreign_holdout_is_one_line(tmp_path: Path, content: str) -> None:
    store, run = _store(tmp_path, HOLDOUT, content.encode())
    with pytest.raises(InputError) as caught:
        kept_rows(store, run)  # type: ignore[arg-type]
    _one_line(caught, "is not one the tool wrote")


def test_a_good_holdout_reads_back(tmp_path: Path) -> None:
    store, run = _store(tmp_path, HOLDOUT, b'{"test_rows": [0, 3], "data_digest": "d"}')
    assert kept_rows(store, run) == {"test_rows": [0, 3], "data_digest": "d"}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b'{"format": 2}',
        b'{"format": 1, "rows": 3}',
        b'{"format": 1, "rows": "x", "score": {}, "columns": []}',
        b'{"format": 1, "rows": 1, "score": {"name": "s", "kind": "weird", "shares": []}, '
        b'"columns": [], "threshold": 0.5, "reject_rate": 0.1, "score_source": "oof"}',
    ],
)
def test_a_corrupted_or_foreign_reference_is_one_line(tmp_path: Path, content: bytes) -> None:
    store, run = _store(tmp_path, REFERENCE, content)
    ref = ModelRef(uri="models:/m/1", run_id="r1", name="m", version="1")
    with pytest.raises(InputError) as caught:
        reference_of(None, store, run, ref)  # type: ignore[arg-type]
    _one_line(caught, "monitoring/reference.json of run r1")


@pytest.mark.parametrize("content", [b"", b"[", b'{"rows": 5}', b"\xff\xfe"])
def test_a_corrupted_background_is_one_line(tmp_path: Path, content: bytes) -> None:
    store, run = _store(tmp_path, BACKGROUND, content)
    with pytest.raises(InputError) as caught:
        stored_background(store, run)  # type: ignore[arg-type]
    _one_line(caught, f"{BACKGROUND} of run r1")


@pytest.mark.parametrize("value", ["{", "[]", '{"unknown": 1}', '{"from_stage": "None"}', "null"])
def test_a_garbled_promotion_tag_is_one_line(value: str) -> None:
    version = VersionRecord("m", "2", "r1", "None", tags={f"{PROMOTION_TAG}1": value})
    with pytest.raises(InputError) as caught:
        history("m", [version])
    _one_line(caught, f"tag {PROMOTION_TAG}1 of m v2", "remove or correct that tag")


def test_json_file_names_what_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        json_file(tmp_path / "gone.json", what="thing", fix="do this")
    _one_line(caught, "thing cannot be read", "do this")
    assert parsed('{"a": 1}', json.loads, what="x", fix="y") == {"a": 1}


def test_a_json_file_far_larger_than_any_written_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 1 GiB holdout.json took 2.3 GB of memory to be refused as not the tool's."""
    from credit_mlops import readback
    from credit_mlops.errors import InputError

    monkeypatch.setattr(readback, "MAX_JSON_BYTES", 1024)
    path = tmp_path / "holdout.json"
    path.write_text('{"test_rows": [' + "1, " * 1000 + "1]}")
    with pytest.raises(InputError, match="larger than"):
        readback.json_file(path, what="holdout.json", fix="train again")
