"""Benchmark results carry where they came from, and the page shows the newest of each kind."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from benchmarks import provenance
from docgen.benchmarks import latest, page


def test_a_result_records_commit_versions_cpu_cores_and_load(tmp_path: Path) -> None:
    begun = provenance.start()
    path = provenance.record(
        "bench",
        begun,
        title="Speed",
        rows=[{"section": "s", "what": "w", "value": "1.0 s"}],
        folder=tmp_path,
    )
    result = json.loads(path.read_text())
    p = result["provenance"]
    assert path.name.startswith("bench-") and path.suffix == ".json"
    assert len(p["commit"]) == 40
    assert p["packages"]["scikit-learn"] and p["packages"]["mlflow"] and p["packages"]["python"]
    assert p["cores"] == os.cpu_count()
    assert p["cpu_model"]
    assert len(p["load_average_at_start"]) == 3
    assert p["started"] <= result["finished"]


def test_the_page_shows_the_newest_result_of_each_kind(tmp_path: Path) -> None:
    begun = provenance.start()
    provenance.record(
        "bench", begun, title="Speed", rows=[{"what": "old", "value": "9 s"}], folder=tmp_path
    )
    time.sleep(1.1)  # file names and times have one-second resolution
    provenance.record(
        "bench", begun, title="Speed", rows=[{"what": "new", "value": "2 s"}], folder=tmp_path
    )
    provenance.record(
        "forest-growth", begun, title="Forest", lines=["rows  cpu s", "10  1.0"], folder=tmp_path
    )
    assert set(latest(tmp_path)) == {"bench", "forest-growth"}
    text = page(tmp_path)
    assert "| new | 2 s |" in text and "old" not in text
    assert "rows  cpu s" in text
    assert "load average at start" in text
    assert "`bench-quality` (`make bench-quality`)" in text  # what is still missing is said


def test_an_empty_results_folder_says_how_to_fill_it(tmp_path: Path) -> None:
    assert "run `make bench`" in page(tmp_path)


def test_a_result_taken_under_load_is_flagged(tmp_path: Path) -> None:
    busy = provenance.Start(provenance.start().when, (50.0, 40.0, 30.0), ["run.py"])
    provenance.record("bench", busy, title="Speed", rows=[{"what": "x"}], folder=tmp_path)
    assert "Taken on a busy machine" in page(tmp_path)
    quiet = provenance.Start(provenance.start().when, (0.0, 0.0, 0.0), ["run.py"])
    provenance.record("bench-tune", quiet, title="Tune", rows=[{"what": "y"}], folder=tmp_path)
    text = page(tmp_path)
    assert text.count("Taken on a busy machine") == 1
