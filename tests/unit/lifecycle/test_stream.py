"""Chunked scoring: the same rows and order as scoring the whole frame, whole or nothing."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from credit_mlops.data import formats, writers
from credit_mlops.data.schema import COLUMNS, FEATURES, TARGET
from credit_mlops.data.synth import synthesize
from credit_mlops.errors import DataError, InputError
from credit_mlops.lifecycle.stream import score_file


@pytest.fixture(scope="module")
def applicants() -> pd.DataFrame:
    frame = synthesize(2_500, seed=11)
    return frame.assign(id=[f"A-{i}" for i in range(len(frame))])


@pytest.fixture(scope="module")
def model(applicants: pd.DataFrame) -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(
        applicants[list(FEATURES)], (applicants[TARGET] == 0).astype(int)
    )


def expected(model: Pipeline, frame: pd.DataFrame, threshold: float) -> pd.DataFrame:
    proba = model.predict_proba(frame[list(FEATURES)])[:, 1]
    decision = np.where(proba >= threshold, "reject", "accept")
    return pd.DataFrame({"id": frame["id"].to_numpy(), "p_bad": proba, "decision": decision})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "out", "chunk", "workers"),
    [
        ("in.asc", "out.csv", 300, 2),
        ("in.csv.gz", "out.parquet", 1_000, 2),
        ("in.parquet", "out.csv", 7, 1),
        ("in.parquet", "out.parquet", 100_000, 2),
    ],
)
def test_chunks_give_the_rows_of_one_whole_scoring(
    tmp_path: Path,
    applicants: pd.DataFrame,
    model: Pipeline,
    name: str,
    out: str,
    chunk: int,
    workers: int,
) -> None:
    source = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(source, "wt") as fh:
            applicants.to_csv(fh, index=False)
    else:
        writers.write_frame(applicants, source)
    result = score_file(
        model, source, tmp_path / out, threshold=0.3, chunk_rows=chunk, workers=workers
    )
    scored = formats.read_frame(tmp_path / out)
    want = expected(model, applicants, 0.3)
    pd.testing.assert_frame_equal(scored, want)  # exact floats, same order
    assert (result.rows, result.rejected) == (2_500, int((want.decision == "reject").sum()))


def test_english_names_without_target_or_id(
    tmp_path: Path, applicants: pd.DataFrame, model: Pipeline
) -> None:
    english = {c.name: c.english for c in COLUMNS}
    source = writers.write_frame(
        applicants[list(FEATURES)].rename(columns=english), tmp_path / "en.csv"
    )
    score_file(model, source, tmp_path / "out.csv", threshold=0.5, chunk_rows=400)
    scored = formats.read_frame(tmp_path / "out.csv")
    assert list(scored.columns) == ["p_bad", "decision"]
    np.testing.assert_array_equal(scored["p_bad"], expected(model, applicants, 0.5)["p_bad"])


def test_a_bad_row_late_in_the_file_leaves_no_output(
    tmp_path: Path, applicants: pd.DataFrame, model: Pipeline
) -> None:
    frame = applicants.copy()
    frame.loc[2_222, "alter"] = 150
    source = writers.write_frame(frame, tmp_path / "in.asc")
    out = tmp_path / "out.csv"
    out.write_text("earlier\n")
    with pytest.raises(DataError, match=r"'alter' has 1 values outside 18–100: line 2224 \(150\)"):
        score_file(model, source, out, threshold=0.5, chunk_rows=500)
    assert out.read_text() == "earlier\n"
    assert not writers.partial_path(out).exists()


def test_ids_with_separators_are_quoted(
    tmp_path: Path, applicants: pd.DataFrame, model: Pipeline
) -> None:
    frame = applicants.head(50).assign(id=[f"Müller, {i}" for i in range(50)])
    source = writers.write_frame(frame, tmp_path / "in.parquet")
    score_file(model, source, tmp_path / "out.csv", threshold=0.5)
    assert formats.read_frame(tmp_path / "out.csv")["id"].tolist() == frame["id"].tolist()


def test_header_only_input_and_same_output_are_refused(tmp_path: Path, model: Pipeline) -> None:
    source = tmp_path / "in.csv"
    source.write_text(",".join(FEATURES) + "\n")
    with pytest.raises(DataError):
        score_file(model, source, tmp_path / "out.csv", threshold=0.5)
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(InputError, match="--output must differ"):
        score_file(model, source, source, threshold=0.5)
