"""Scoring a dataset with Apache Spark: `credit predict --engine spark`.

The input (a Parquet or CSV file or folder) is checked completely in one Spark pass (every
column castable to an integer code inside its domain), scored by MLflow's
`spark_udf`, and written as Parquet partitions with the id column, `p_bad` and `decision`
into a folder that appears whole or not at all. `local[*]` runs it on this machine; a
cluster's master URL (or the usual Spark environment) runs it there. It reads the columns
of the shipped data description; a model trained on a team's own description is scored by
the pandas engine.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.config.environ import scoped_environ
from credit_mlops.data import formats
from credit_mlops.data.schema import COLUMNS, DEFAULT, ENGLISH_TO_GERMAN, FEATURES, FIRST_ROWS
from credit_mlops.errors import DataError, InputError, some
from credit_mlops.escaping import csv_read_text

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from credit_mlops.data.description import Description
    from credit_mlops.lifecycle.resolve import ModelRef
    from credit_mlops.tracking.records import RunRecord
    from credit_mlops.tracking.store import TrackingStore

INSTALL_HINT = (
    "--engine spark needs pyspark: pip install 'credit-mlops[spark]' "
    "(or `uv sync --extra spark`), and Java 17+ on the PATH"
)


@dataclass(frozen=True)
class SparkScored:
    rows: int
    rejected: int
    partitions: int


def require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise InputError(INSTALL_HINT) from exc


def check_description(description: Description | None, what: str) -> None:
    """The Spark engines read the shipped data description's integer-coded columns only; a
    team's own description is refused in one line, before Spark starts (else its columns
    would be reported missing under the shipped data set's names)."""
    if description is None or description.digest() == DEFAULT.digest():
        return
    raise InputError(
        f"--engine spark works with the shipped data description ({DEFAULT.name}) only; "
        f"{what} {description.name!r}: use --engine pandas"
    )


def session(master: str, app: str = "credit predict", timeout: float = 10.0) -> SparkSession:
    """A Spark session whose Python workers run this interpreter (else they miss pandas)."""
    require_pyspark()
    from pyspark.sql import SparkSession

    from credit_mlops.ops.spark_failures import check_environment, quiet_jvm, spark_failures

    check_environment(master, timeout)  # a bad PYSPARK_PYTHON, no Java, no master: one line, no JVM

    # Read when the context starts: set for that call only.
    python = {
        name: os.environ.get(name) or sys.executable
        for name in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")
    }
    builder = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
    )
    with scoped_environ(python), quiet_jvm(), spark_failures(master):
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("OFF")  # failures reach the user as our one line
    return spark


def first_part(path: Path) -> Path:
    """The file itself, or a folder dataset's first part (what its format is read from)."""
    from credit_mlops.link_loops import refuse_loop

    refuse_loop(path)
    if not path.exists():
        raise DataError(f"{path} does not exist; check the path")
    if path.is_file():
        return path
    parts = (p for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(("_", ".")))
    first = next(parts, None)
    if first is None:
        raise DataError(f"{path}: an empty folder; point --input at a Parquet or CSV dataset")
    return first


def check_columns(path: Path, *, id_column: str) -> None:
    """The input's columns, from its first part's header alone: a missing column is refused
    before Spark starts (the rows themselves are checked by Spark, in one pass)."""
    names = [ENGLISH_TO_GERMAN.get(c, c) for c in formats.columns(first_part(path))]
    _refuse_missing(names, source=str(path), id_column=id_column)


def _refuse_missing(names: list[str], *, source: str, id_column: str) -> None:
    missing = [c for c in [*FEATURES, id_column] if c not in names]
    if missing:
        hint = " (--id-column names it; Spark keeps no row order)" if id_column in missing else ""
        raise DataError(f"{source}: missing column(s) {some(missing)}{hint}")


def read_input(spark: SparkSession, path: Path) -> DataFrame:
    """A Parquet or CSV file, or a folder of them, as a Spark DataFrame with German names."""
    first = first_part(path)
    if formats.file_format(first) == "parquet":
        frame = spark.read.parquet(str(path))
    else:
        _, sep = formats.csv_header(first)
        frame = spark.read.csv(
            str(path), header=True, sep=" " if sep == r"\s+" else sep, inferSchema=False
        )
    names = [csv_read_text(c) for c in frame.columns]  # as a spreadsheet-safe writer had them
    return frame.toDF(*[ENGLISH_TO_GERMAN.get(c, c) for c in names])


def check_input(frame: Any, *, source: str, id_column: str) -> Any:
    """Every row in one pass; on a failure, the column and its first ids. Returns int codes."""
    from pyspark.sql import functions as F

    _refuse_missing(list(frame.columns), source=source, id_column=id_column)
    codes = frame.select(F.col(id_column), *[F.col(c).cast("double").alias(c) for c in FEATURES])
    bad = {
        spec.name: (
            F.col(spec.name).isNull()
            | (F.col(spec.name) != F.floor(F.col(spec.name)))
            | (F.col(spec.name) < spec.low)
            | (F.col(spec.name) > spec.high)
        )
        for spec in COLUMNS
    }
    counts = codes.agg(*[F.sum(rule.cast("long")).alias(n) for n, rule in bad.items()]).first()
    for spec in COLUMNS:
        count = counts[spec.name] or 0
        if count:
            rows = codes.where(bad[spec.name]).select(id_column, spec.name).limit(FIRST_ROWS)
            shown = ", ".join(f"{id_column} {r[0]} ({r[1]})" for r in rows.collect())
            raise DataError(
                f"{source}: column '{spec.name}' has {count} values that are missing, not "
                f"integers or outside {spec.low}–{spec.high}: {shown}; fix those rows"
            )
    return codes.select(id_column, *[F.col(c).cast("long").alias(c) for c in FEATURES])


def _publish(tmp: Path, output: Path) -> None:
    """Put the finished folder in place; an earlier output is removed only afterwards (moved
    into this process's own work folder, which the caller removes)."""
    if output.exists():
        output.rename(tmp.parent / "old")
    tmp.rename(output)


def _write(scored: Any, tmp: Path, output_path: Path) -> None:
    """Spark writes the scores into `tmp`; a full disk there is the output's (said as every
    command says it, with the output's name), not Spark's scratch space."""
    from credit_mlops.ops.spark_failures import fills_output

    try:
        scored.write.parquet(str(tmp))
    except Exception as exc:
        if fills_output(exc, tmp):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(output_path)) from exc
        raise


def score(
    spark: Any,
    udf: Any,
    input_path: Path,
    output_path: Path,
    *,
    id_column: str = "id",
) -> SparkScored:
    """Check, score and write; the output folder appears only when Spark has finished."""
    from pyspark.sql import functions as F

    if output_path.resolve() == input_path.resolve():
        raise InputError("--output must differ from --input (it would overwrite the input)")
    if output_path.exists() and not output_path.is_dir():
        raise InputError(f"{output_path} is a file; --engine spark writes a folder of Parquet")
    codes = check_input(read_input(spark, input_path), source=str(input_path), id_column=id_column)
    scored = codes.select(
        F.col(id_column), udf(F.struct(*[F.col(c) for c in FEATURES])).alias("s")
    ).select(id_column, "s.p_bad", "s.decision")
    # this process's own work folder beside the output: two runs never share a temporary name
    work = Path(tempfile.mkdtemp(prefix=f".{output_path.name}.", dir=output_path.parent))
    tmp = work / "parquet"
    try:
        _write(scored, tmp, output_path)
        written = spark.read.parquet(str(tmp))
        summary = written.agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum((F.col("decision") == "reject").cast("long")).alias("rejected"),
        ).first()
        partitions = len([p for p in tmp.iterdir() if p.suffix == ".parquet"])
        if not summary["rows"]:
            raise DataError(f"{input_path}: no data rows to score")
        _publish(tmp, output_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return SparkScored(int(summary["rows"]), int(summary["rejected"] or 0), partitions)


def predict_with_spark(
    store: TrackingStore,
    model: tuple[ModelRef, RunRecord],
    *,
    threshold: float,
    input_path: Path,
    output_path: Path,
    master: str,
    id_column: str,
    timeout: float,
) -> SparkScored:
    """Start Spark at `master`, score the model (its version, its run) through the store's
    spark_udf, stop Spark."""
    import tempfile
    import warnings

    from credit_mlops.lifecycle.predict_checks import run_description
    from credit_mlops.ops.spark_failures import spark_failures

    ref, run = model
    described = run_description(store, run)
    check_description(described, f"model {ref.label} was trained on the data description")
    spark = session(master, timeout=timeout)
    try:
        with (
            spark_failures(master),
            tempfile.TemporaryDirectory(prefix="credit-spark-") as folder,
            warnings.catch_warnings(),
        ):
            # pyspark 4 warns on every UDF that pandas 3 is "not fully supported"; the
            # scoring path here is tested row for row against the pandas engine.
            warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
            udf = store.spark_udf(
                spark, ref.uri, threshold=threshold, features=list(FEATURES), folder=Path(folder)
            )
            return score(spark, udf, input_path, output_path, id_column=id_column)
    finally:
        spark.stop()
