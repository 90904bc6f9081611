"""`credit predict`: batch scoring, P(bad) and accept/reject at the model's threshold.

The pandas engine streams the input in chunks on every core (`lifecycle.stream`); the Spark
engine scores a dataset through MLflow's spark_udf (`lifecycle.spark`). Either output
appears whole or not at all."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from credit_mlops.errors import InputError
from credit_mlops.files import input_file, writable_dir
from credit_mlops.lifecycle import predict_checks
from credit_mlops.lifecycle.evaluate import decision_threshold
from credit_mlops.lifecycle.evaluation_target import open_target
from credit_mlops.lifecycle.stream import DEFAULT_CHUNK_ROWS, RowsProgress, Scored, score_file
from credit_mlops.link_loops import refuse_loop
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    from credit_mlops.data.description import Description
    from credit_mlops.lifecycle.spark import SparkScored

ENGINES = ("pandas", "spark")


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
    scoring_cpu_seconds: float = 0.0  # CPU of this process, all threads, over the same span
    engine: str = "pandas"
    id_column: str = "id"
    duplicate_ids: int = 0  # rows whose id repeats an earlier one (all are scored)


def check_paths(
    input_path: Path,
    output_path: Path,
    engine: str = "pandas",
    id_column: str = "id",
    description: Description | None = None,
    *,
    id_given: bool = False,
) -> None:
    """Refused before the store is opened, so no model is loaded for a request that cannot
    succeed: the input (its first rows against the schema, the id column if `id_given`: the
    user named it) and the output's folder."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}")
    if engine == "spark":
        from credit_mlops.lifecycle.spark import require_pyspark

        require_pyspark()
    _output_kind(output_path, engine)
    if not (engine == "spark" and input_path.is_dir()):  # Spark reads a folder of parts
        from credit_mlops.data.formats import APPLICANTS_FIX

        input_file(input_path, setting="--input", what="input file", fix=f"; {APPLICANTS_FIX}")
    refuse_loop(output_path, "--output")  # before resolve(), which raises on a loop
    if output_path.resolve() == input_path.resolve():
        raise InputError("--output must differ from --input (it would overwrite the input)")
    if engine == "pandas":
        predict_checks.check_paths(
            input_path, output_path, id_column, description, id_given=id_given
        )
    else:
        from credit_mlops.lifecycle.spark import check_columns, check_description

        check_description(description, "the settings name the data description")
        check_columns(input_path, id_column=id_column)
        writable_dir(output_path.parent, setting="--output")


def _output_kind(output_path: Path, engine: str) -> None:
    """An output name whose extension says another format (.xlsx, .json) is refused."""
    from credit_mlops.data.output_kinds import Writes, chosen, table_writes

    writes = table_writes("credit predict")
    if engine == "spark":
        parquet = {"parquet": writes.extensions["parquet"]}
        writes = Writes(
            "credit predict --engine spark", parquet, "parquet", {"parquet": "a Parquet folder"}
        )
    chosen(output_path, None, writes)


def predict(
    store: TrackingStore,
    target: str,
    input_path: Path,
    output_path: Path,
    *,
    id_column: str = "id",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: RowsProgress | None = None,
    reasons: int | None = None,
    engine: str = "pandas",
    spark_master: str = "local[*]",
    spark_timeout: float = 10.0,
) -> PredictReport:
    """Score `input_path` into `output_path`; the caller has run `check_paths` first
    (before opening the store), so the input's first rows are not read twice."""
    start = time.perf_counter()
    if engine == "spark" and reasons is not None:
        raise InputError("--explain works with --engine pandas only")
    opened = open_target(store, target, live=True)
    ref, run = opened.ref, opened.run
    tally = predict_checks.IdTally()
    done: Scored | SparkScored
    if engine == "spark":
        from credit_mlops.lifecycle.spark import predict_with_spark

        threshold, _ = decision_threshold(run)
        scoring_start, scoring_cpu = time.perf_counter(), time.process_time()
        done = predict_with_spark(
            store, (ref, run), threshold=threshold, input_path=input_path,
            output_path=output_path, master=spark_master, timeout=spark_timeout,
            id_column=id_column,
        )  # fmt: skip
    else:
        trained_on = predict_checks.run_description(store, run)  # the model's own columns
        model = store.load_model(ref.uri)
        predict_checks.check_model_columns(model, trained_on, ref.label)
        threshold, _ = decision_threshold(run, model)  # the decision the model itself carries
        explain = None
        if reasons is not None:  # shap and the explainers are imported only when asked for
            from credit_mlops.explain.service import reason_maker

            explain = reason_maker(store, run, model, reasons, trained_on)
        scoring_start, scoring_cpu = time.perf_counter(), time.process_time()
        done = score_file(
            model,
            input_path,
            output_path,
            threshold=threshold,
            id_column=id_column,
            chunk_rows=chunk_rows,
            progress=progress,
            explain=explain,
            tally=tally,
            description=trained_on,
        )
    return PredictReport(
        target=target,
        model_uri=ref.uri,
        input=str(input_path),
        output=str(output_path),
        rows=done.rows,
        rejected=done.rejected,
        threshold=threshold,
        seconds=time.perf_counter() - start,
        scoring_seconds=time.perf_counter() - scoring_start,
        scoring_cpu_seconds=time.process_time() - scoring_cpu,
        engine=engine,
        id_column=id_column,
        duplicate_ids=tally.duplicates,
    )
