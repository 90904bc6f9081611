"""Disk full: a 2 MB tmpfs as the project's store. Training onto a disk without room for its
run is refused before any work; a disk that fills up during the run ends it in one line, with
no half-written outbox entry, and `credit sync` (once there is space) ends the run the killed
process could not end."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import REAL_DATA, credit, run_statuses
from tests.tmpfs import tmpfs

from credit_mlops.data import random_rows, tables


@pytest.fixture
def full_store(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / ".credit", "2m"):
        yield tmp_path


def _data(root: Path) -> Path:
    data = Path(REAL_DATA) if REAL_DATA and Path(REAL_DATA).is_file() else None
    if data is None:
        data = tables.write_table(random_rows.synthetic(1000, seed=4), root / "credit.asc")
    return data


FAST = ["--cv-folds", "2", "--cv-repeats", "1", "--n-jobs", "1", "-q"]


def test_no_room_for_the_run_is_refused_before_training(full_store: Path) -> None:
    root = full_store
    done = credit(["train", "-m", "logistic_regression", *FAST, "--data", str(_data(root))], root)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1, done.stderr[-2000:]
    assert len(lines) == 1 and "MiB free" in lines[0] and "nothing was trained" in lines[0], lines
    assert "train.min_free_mb" in lines[0]
    assert list((root / ".credit").iterdir()) == []  # no store, no outbox: nothing written


def test_a_full_disk_is_one_line_and_leaves_no_half_entry(full_store: Path) -> None:
    root = full_store
    fast = [*FAST, "--data", str(_data(root))]
    anyway = {"CREDIT_TRAIN__MIN_FREE_MB": "0"}  # train although the disk may fill up
    old = root / ".credit" / "scores.csv"
    old.write_text("id,p_bad,decision\n1,0.5,accept\n")  # an earlier output, kept whole
    first = credit(["train", "-m", "logistic_regression", *fast], root, anyway)
    assert first.returncode == 0, first.stderr  # the store itself fits; the disk is now full
    done = credit(["train", "-m", "xgboost", *fast], root, anyway)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    outbox = root / ".credit" / "outbox"
    entries = [p for p in outbox.iterdir()] if outbox.exists() else []
    assert entries == [] or all((p / "run.json").is_file() for p in entries)

    # predicting onto the full disk: one line, and the earlier output is kept as it was
    from credit_mlops.data.synth import synthesize

    applicants = synthesize(60_000, seed=3).drop(columns=["kredit"])
    applicants.insert(0, "id", range(len(applicants)))
    applicants.to_csv(root / "applicants.csv", index=False)
    before = old.read_text()
    scored = credit(
        ["predict", "logistic_regression", "-i", "applicants.csv", "-o", str(old), "-q"], root
    )
    lines = [line for line in scored.stderr.splitlines() if line.strip()]
    assert scored.returncode == 1, scored.stderr[-2000:]
    assert len(lines) == 1 and "the disk is full" in lines[0], lines
    assert old.read_text() == before

    # With room again, `credit sync` ends what the full disk left RUNNING, as FAILED.
    subprocess.run(["mount", "-o", "remount,size=64m", str(root / ".credit")], check=True)
    statuses = run_statuses(root)
    synced = credit(["sync"], root)
    assert synced.returncode == 0, synced.stderr[-2000:]
    left = [r for r, s in statuses.items() if s == "RUNNING"]
    after = run_statuses(root)
    assert "RUNNING" not in after.values(), (statuses, after, synced.stdout)
    for run_id in left:
        assert after[run_id] == "FAILED"
        assert run_id in synced.stdout


def test_an_output_that_fills_the_disk_is_named_and_nothing_half_written(
    full_store: Path,
) -> None:
    """`data synth` into a disk with room for part of the file: one line naming the file,
    the earlier file kept whole."""
    out = full_store / ".credit" / "mine" / "applicants.csv"
    out.parent.mkdir()
    out.write_text("earlier\n")
    (full_store / ".credit" / "filler").write_bytes(b"x" * (2 * 1024 * 1024 - 256 * 1024))
    result = credit(["data", "synth", "--rows", "20000", "-o", str(out)], full_store)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: the disk is full writing {out} (No space left on device); nothing was "
        "half-written and earlier files are kept - free space and run again"
    ], lines
    assert out.read_text() == "earlier\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["applicants.csv"]
