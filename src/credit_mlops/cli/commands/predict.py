"""`credit predict TARGET --input IN --output OUT`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.options import Json, MlflowUri, Profile, Quiet, Target, given_path
from credit_mlops.cli.values import output_file_path, whole_number


def predict(
    target: Target,
    input_file: Annotated[
        Path,
        typer.Option(
            "--input",
            "-i",
            help="Applicants to score (schema of the data): CSV, gzip CSV or Parquet.",
            parser=given_path,
        ),
    ],
    output_file: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="[id,] p_bad, decision: CSV (.csv.gz: gzip), or Parquet by suffix (another "
            "format's, e.g. .xlsx, is refused); a Parquet folder on Spark; '-' is standard "
            "output (CSV). Its folder must exist.",
            parser=output_file_path,
            metavar="<file>",
        ),
    ],
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column",
            help="The applicants' id, kept in the output [default: id, if the file has it]; "
            "a name given here must be a column of the input.",
            show_default=False,
        ),
    ] = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Add reason_1..K (K after the flag, default 4): what raised P(bad)."
        ),
    ] = False,
    # `--explain [K]`: Typer has no option with an optional value, so K is a hidden
    # second argument, accepted only with --explain
    reasons: Annotated[
        int | None, typer.Argument(hidden=True, show_default=False, parser=whole_number)
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="pandas (chunks on every core) or spark.")
    ] = "pandas",
    spark_master: Annotated[
        str | None,
        typer.Option("--spark-master", help="Spark master URL (spark.master, local[*])."),
    ] = None,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    quiet: Quiet = False,
    json_out: Json = False,
) -> None:
    """Score applicants: P(bad) and accept or reject.

    The decision uses the cost-optimal threshold the model's training run chose.
    """
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import console, lifecycle
    from credit_mlops.errors import InputError
    from credit_mlops.explain.reasons import explain_count
    from credit_mlops.files import STDOUT
    from credit_mlops.lifecycle.predict import check_paths
    from credit_mlops.lifecycle.predict import predict as run_predict
    from credit_mlops.processes import interrupts
    from credit_mlops.tracking.open import open_tracker

    settings = settings_from(profile, mlflow_uri=mlflow_uri, spark_master=spark_master)
    id_given = id_column is not None
    k = explain_count(explain, reasons)  # a value: checked before any file is read
    to_stdout = output_file == STDOUT
    if to_stdout and (json_out or engine == "spark"):
        raise InputError(
            "-o - writes the scores to standard output, which "
            + ("--json also needs; give -o FILE" if json_out else "Spark cannot; give -o FOLDER")
        )
    from credit_mlops.data.locate import description

    described = description(settings)
    if id_column is None:  # the description's id column, carried through; else `id`
        id_column = (described.id if described is not None else None) or "id"
    # before the store is opened: the first rows against the profile's data description
    check_paths(input_file, output_file, engine, id_column, described, id_given=id_given)
    store = open_tracker(settings, existing=True)
    with lifecycle.rows_progress(enabled=not (quiet or json_out)) as progress:
        report = run_predict(
            store,
            target,
            input_file,
            output_file,
            id_column=id_column,
            progress=progress,
            reasons=k,
            engine=engine,
            spark_master=settings.spark.master,
            spark_timeout=settings.spark.connect_timeout,
        )
    interrupts.settle()  # scored and written: a Ctrl-C from here on changes nothing
    if report.duplicate_ids:
        console.note(
            f"warning: {report.duplicate_ids} duplicate value(s) in the id column "
            f"'{report.id_column}'; every row is scored, in input order"
        )
    if json_out:
        console.emit_json(report)
    else:
        lifecycle.prediction(report, to_stderr=to_stdout)  # stdout holds the scores
