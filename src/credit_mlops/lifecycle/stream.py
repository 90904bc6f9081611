"""Scoring a file of any size in chunks, on every core, written whole or not at all.

The main thread reads chunks (pandas' C parser and pyarrow release the GIL while they
work) and writes the scored chunks in input order; a pool of threads validates, scores and
encodes them (numpy, scikit-learn's array code, XGBoost and pyarrow's CSV writer release
the GIL too). At most `workers + 1` chunks are in flight, so memory stays bounded whatever
the file's size. BLAS is held to one thread per worker so the cores are not oversubscribed.
P(bad) comes from `fast_scoring.CheckedProba`: the catalogue's preprocessing in plain numpy,
kept only when it matches the model's own `predict_proba` bit for bit on its first rows.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.data import formats, writers
from credit_mlops.data.checks import CSV_LINES, PARQUET_ROWS, validate_frame
from credit_mlops.data.schema import FEATURES
from credit_mlops.data.tables import to_german
from credit_mlops.errors import DataError, InputError
from credit_mlops.lifecycle.fast_scoring import CheckedProba, Proba, model_proba
from credit_mlops.modeling.decision import decisions

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from credit_mlops.data.description import Description
    from credit_mlops.lifecycle.predict_checks import IdTally

RowsProgress = Callable[[int, int | None], None]  # (rows done, rows in all if known)
Explainer = Callable[["pd.DataFrame"], "pd.DataFrame"]  # features -> reason columns
DEFAULT_CHUNK_ROWS = 50_000  # 100,000 cost more CPU per row: the chunk outgrows the caches
MIN_CHUNK_ROWS = 10_000  # smaller chunks only when the caller asks for them
CHUNKS_PER_WORKER = 2  # a small file is cut so that each worker scores about this many


@dataclass(frozen=True)
class Scored:
    rows: int
    rejected: int


@dataclass(frozen=True)
class _Chunk:
    encoded: Any
    columns: list[str]
    rows: int
    rejected: int


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def rows_per_chunk(chunk_rows: int, total: int | None, workers: int) -> int:
    """At most `chunk_rows`, and small enough that every worker gets chunks to score: a
    file of 100,000 rows in one chunk would leave all but one core idle. Never below
    MIN_CHUNK_ROWS, where the fixed cost of a chunk would start to count."""
    if total is None or workers < 2:
        return chunk_rows
    share = -(-total // (CHUNKS_PER_WORKER * workers))  # ceiling
    return max(min(chunk_rows, MIN_CHUNK_ROWS), min(chunk_rows, share))


def decision_column(proba: np.ndarray, threshold: float) -> Any:
    """`decisions` as the column pandas would make of it, built without Python strings.

    pandas 3 stores text in Arrow: the two words are taken from an Arrow array by index
    (a tenth of the CPU of converting numpy's fixed-width strings); other pandas keep
    `decisions` as it is.
    """
    import pandas as pd

    text = pd.Series(["accept"]).dtype
    if getattr(text, "storage", None) != "pyarrow":
        return decisions(proba, threshold)
    import pyarrow as pa

    words = pa.array(["accept", "reject"], type=pa.large_string())
    return pd.array(words.take(pa.array((proba >= threshold).view("int8"))), dtype=text)


def score_frame(
    model: Any,
    chunk: pd.DataFrame,
    *,
    threshold: float,
    id_column: str,
    source: str,
    where: Any,
    explain: Explainer | None = None,
    proba_of: Proba | None = None,
    description: Description | None = None,
) -> pd.DataFrame:
    """Validate one chunk (the target column may be there or not) and score it.

    `proba_of` computes P(bad) (default: the model's `predict_proba`; `score_file` passes
    the checked fast path of `lifecycle.fast_scoring`)."""
    import pandas as pd

    from credit_mlops.modeling.scorecard_table import credit_scores

    chunk = to_german(chunk, description)
    ids = chunk.pop(id_column) if id_column in chunk.columns else None
    validate_frame(chunk, source=source, description=description, features_only=True, where=where)
    if description is None:
        features = chunk[list(FEATURES)].astype("int64")
    else:  # the model's own description: its columns, typed as at training
        from credit_mlops.data.dataset import typed_features

        features = typed_features(chunk, description)
    proba = (proba_of or model_proba(model))(features)
    frame = pd.DataFrame({"p_bad": proba, "decision": decision_column(proba, threshold)})
    score = credit_scores(model, features)
    if score is not None:  # a scorecard's points: higher = safer
        frame["score"] = score
    if explain is not None:  # reason_1..K, reason_1_value..K (--explain)
        frame = frame.join(explain(features).set_axis(frame.index))
    if ids is not None:
        frame.insert(0, id_column, ids.array)  # by position; no round trip through objects
    return frame


def _check_ids(frame: pd.DataFrame, id_column: str, *, csv: bool, tally: IdTally | None) -> None:
    """A chunk's ids: ones a CSV could not give back refused; repeats counted (reported)."""
    from credit_mlops.lifecycle.predict_checks import check_csv_ids

    if id_column not in frame.columns:
        return
    if csv:
        check_csv_ids(frame[id_column], id_column)
    if tally is not None:
        tally.add(frame[id_column])


def score_file(
    model: Any,
    input_path: Path,
    output_path: Path,
    *,
    threshold: float,
    id_column: str = "id",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    workers: int | None = None,
    output_format: str | None = None,
    progress: RowsProgress | None = None,
    explain: Explainer | None = None,
    tally: IdTally | None = None,
    description: Description | None = None,
) -> Scored:
    """Score `input_path` (CSV, gzip CSV or Parquet) into `output_path` (CSV or Parquet).

    With `explain`, one worker: the explainers are not known to be safe across threads.
    """
    from threadpoolctl import threadpool_limits

    if chunk_rows < 1:
        raise InputError(f"chunk size must be at least 1 row (got {chunk_rows})")
    if output_path.resolve() == input_path.resolve():
        raise InputError("--output must differ from --input (it would overwrite the input)")
    total = formats.count_rows(input_path)
    where = PARQUET_ROWS if formats.file_format(input_path) == "parquet" else CSV_LINES
    fmt = formats.output_format(output_path, output_format)
    n_workers = 1 if explain is not None else (workers or default_workers())
    chunk_rows = rows_per_chunk(chunk_rows, total, n_workers)
    proba_of = CheckedProba(model)
    with (
        writers.TableWriter(output_path, fmt) as writer,
        threadpool_limits(limits=1),
        ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="credit-score") as pool,
    ):

        def work(chunk: pd.DataFrame) -> _Chunk:
            frame = score_frame(
                model,
                chunk,
                threshold=threshold,
                id_column=id_column,
                source=str(input_path),
                where=where,
                explain=explain,
                proba_of=proba_of,
                description=description,
            )
            _check_ids(frame, id_column, csv=fmt == "csv", tally=tally)
            rejected = int((frame["decision"] == "reject").sum())
            return _Chunk(writer.encode(frame), list(frame.columns), len(frame), rejected)

        pending: deque[Future[_Chunk]] = deque()
        rejected = 0

        def drain(keep: int) -> None:
            nonlocal rejected
            while len(pending) > keep:
                done = pending.popleft().result()
                writer.write_encoded(done.encoded, done.columns, done.rows)
                rejected += done.rejected
                if progress:
                    progress(writer.rows, total)

        try:
            for chunk in formats.iter_frames(input_path, chunk_rows, (id_column,)):
                pending.append(pool.submit(work, chunk))
                drain(n_workers)
            drain(0)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
        if writer.rows == 0:
            raise DataError(f"{input_path}: no data rows to score")
        rows = writer.rows
    return Scored(rows=rows, rejected=rejected)
