"""`credit predict`: batch scoring, P(bad) and accept/reject at the model's threshold,
read and written in chunks; the output appears whole or not at all."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from credit_mlops.errors import DataError, InputError
from credit_mlops.lifecycle.evaluate import threshold_of
from credit_mlops.lifecycle.resolve import get_run, resolve
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    from credit_mlops.explain.service import ReasonMaker
    from credit_mlops.tracking.records import Classifier

RowsProgress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass(frozen=True)
class PredictReport:
    target: str
    model_uri: str
    input: str
    output: str
    rows: int
    rejected: int
    threshold: float
    seconds: float  # the whole call, model loading included
    scoring_seconds: float  # reading, validating, scoring and writing the rows


def check_paths(input_path: Path, output_path: Path) -> None:
    """Refused before the store is opened."""
    if not input_path.is_file():
        raise DataError(f"input file {input_path} does not exist")
    if output_path.resolve() == input_path.resolve():
        raise InputError("--output must differ from --input (it would overwrite the input)")


def predict(
    store: TrackingStore,
    target: str,
    input_path: Path,
    output_path: Path,
    *,
    id_column: str = "id",
    chunk_rows: int = 50_000,
    progress: RowsProgress | None = None,
    reasons: int | None = None,
) -> PredictReport:
    start = time.perf_counter()
    check_paths(input_path, output_path)
    ref = resolve(store, target)
    run = get_run(store, ref.run_id)
    threshold, _ = threshold_of(run)
    model = store.load_model(ref.uri)
    explain = None
    if reasons is not None:  # shap and the explainers are imported only when asked for
        from credit_mlops.explain.service import reason_maker

        explain = reason_maker(store, run, model, reasons)
    scoring_start = time.perf_counter()
    rows, rejected = score_file(
        model, threshold, input_path, output_path, id_column, chunk_rows, progress, explain
    )
    return PredictReport(
        target=target,
        model_uri=ref.uri,
        input=str(input_path),
        output=str(output_path),
        rows=rows,
        rejected=rejected,
        threshold=threshold,
        seconds=time.perf_counter() - start,
        scoring_seconds=time.perf_counter() - scoring_start,
    )


def score_file(
    model: Classifier,
    threshold: float,
    input_path: Path,
    output_path: Path,
    id_column: str,
    chunk_rows: int,
    progress: RowsProgress | None,
    explain: ReasonMaker | None = None,
) -> tuple[int, int]:
    """(rows scored, rows rejected); the rows are validated chunk by chunk."""
    import numpy as np
    import pandas as pd

    from credit_mlops.data.files import read_header, to_german
    from credit_mlops.data.schema import FEATURES, validate

    sep = "," if "," in read_header(input_path) else r"\s+"
    with input_path.open("rb") as fh:
        total = max(sum(1 for _ in fh) - 1, 0)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    rows = rejected = 0
    tmp = output_path.with_name(output_path.name + ".partial")
    reader = pd.read_csv(
        input_path, sep=sep, chunksize=chunk_rows, engine="c" if sep == "," else "python"
    )
    try:
        with tmp.open("w", newline="") as out:
            for i, chunk in enumerate(reader):
                chunk = to_german(chunk)
                ids = chunk.pop(id_column) if id_column in chunk.columns else None
                # The target column may be there or not; it is not needed to score.
                validate(chunk, source=str(input_path), features_only=True)
                proba = model.predict_proba(chunk[list(FEATURES)])[:, 1]
                reject = proba >= threshold
                frame = pd.DataFrame(
                    {"p_bad": proba, "decision": np.where(reject, "reject", "accept")}
                )
                if explain is not None:  # reason_1..K, reason_1_value..K (--explain)
                    frame = frame.join(explain(chunk[list(FEATURES)]).set_axis(frame.index))
                if ids is not None:
                    frame.insert(0, id_column, ids.to_numpy())
                frame.to_csv(out, index=False, header=(i == 0), float_format="%.17g")
                rows += len(frame)
                rejected += int(reject.sum())
                if progress:
                    progress(rows, total)
        if rows == 0:
            raise DataError(f"{input_path}: no data rows to score")
        tmp.replace(output_path)  # the output appears whole or not at all
    finally:
        tmp.unlink(missing_ok=True)
    return rows, rejected
