"""`credit register`, `credit promote`, `credit evaluate`, `credit predict`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from credit_mlops.cli.options import Json, MlflowUri, Profile, Quiet

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings

Target = Annotated[
    str,
    typer.Argument(
        help="NAME (latest), NAME/VERSION, NAME/STAGE, NAME@ALIAS, models:/… or "
        "runs:/RUN_ID/model.",
        show_default=False,
    ),
]


def _settings(profile: str | None, mlflow_uri: str | None) -> Settings:
    from credit_mlops.config.settings import load_settings

    return load_settings(profile, {"tracking": {"uri": mlflow_uri}})


def register(
    run_id: Annotated[str, typer.Argument(help="The run whose model to register.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Registered model name (default: the model key).")
    ] = None,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """Register the model of a run as a new version."""
    from credit_mlops.cli.render import console as render
    from credit_mlops.lifecycle.evaluate import register as run_register

    result = run_register(_settings(profile, mlflow_uri), run_id, name)
    if json_out:
        render.emit_json(result)
    else:
        render.out().print(
            f"✓ registered '{result.name}' version {result.version} (run {result.run_id})"
        )


def promote(
    name: Annotated[str, typer.Argument(help="Registered model name.")],
    version: Annotated[str | None, typer.Argument(help="Version number.")] = None,
    stage: Annotated[
        str | None, typer.Argument(help="Staging, Production, Archived or None (any case).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Promote even if worse than Production.")
    ] = False,
    keep_existing: Annotated[
        bool,
        typer.Option("--keep-existing", help="Do not archive the version now in that stage."),
    ] = False,
    show_history: Annotated[
        bool, typer.Option("--history", help="Show every promotion of NAME.")
    ] = False,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """Move a version to a stage (and alias), with a metric gate.

    Production is refused to a version worse than the current one unless --force.
    """
    from credit_mlops.cli.render import console as render
    from credit_mlops.errors import InputError
    from credit_mlops.lifecycle.evaluate import history
    from credit_mlops.lifecycle.evaluate import promote as run_promote

    settings = _settings(profile, mlflow_uri)
    if show_history:
        records = history(settings, name)
        if json_out:
            render.emit_json([r.__dict__ for r in records])
        else:
            render.promotion_history(name, records)
        return
    if version is None or stage is None:
        raise InputError(
            "give NAME VERSION STAGE (e.g. credit promote xgboost 3 Production), or NAME --history"
        )
    record = run_promote(settings, name, version, stage, force=force, keep_existing=keep_existing)
    if json_out:
        render.emit_json(record)
    else:
        render.promotion(record)


def evaluate(
    target: Target,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Score this validated file instead of the holdout.", dir_okay=False
        ),
    ] = None,
    training_data: Annotated[
        Path | None,
        typer.Option(
            "--training-data",
            help="The file the model trained on (for its holdout); default data.path.",
            dir_okay=False,
        ),
    ] = None,
    output_dir: Annotated[
        Path | None, typer.Option("--output-dir", help="Where to write the PNGs and CSV.")
    ] = None,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """Score a model on its holdout or a file, with costs and plots.

    The figures are logged as an evaluation run linked to the model version.
    """
    from credit_mlops.cli.render import console as render
    from credit_mlops.config.settings import load_settings
    from credit_mlops.lifecycle.evaluate import evaluate as run_evaluate

    settings = load_settings(
        profile, {"tracking": {"uri": mlflow_uri}, "data": {"path": training_data}}
    )
    report = run_evaluate(settings, target, data_path=data, output_dir=output_dir)
    if json_out:
        render.emit_json(report)
    else:
        render.evaluation(report)


def predict(
    target: Target,
    input_file: Annotated[
        Path,
        typer.Option(
            "--input", "-i", help="Applicants to score (schema of the data).", dir_okay=False
        ),
    ],
    output_file: Annotated[
        Path, typer.Option("--output", "-o", help="CSV: [id,] p_bad, decision.", dir_okay=False)
    ],
    id_column: Annotated[str, typer.Option("--id-column", help="Kept in the output.")] = "id",
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    quiet: Quiet = False,
    json_out: Json = False,
) -> None:
    """Score applicants: P(bad) and accept or reject.

    The decision uses the cost-optimal threshold the model's training run chose.
    """
    from credit_mlops.cli.render import console as render
    from credit_mlops.lifecycle.evaluate import predict as run_predict

    settings = _settings(profile, mlflow_uri)
    with render.rows_progress(enabled=not (quiet or json_out)) as progress:
        report = run_predict(
            settings, target, input_file, output_file, id_column=id_column, progress=progress
        )
    if json_out:
        render.emit_json(report)
    else:
        render.prediction(report)


def sync(
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """Upload the runs kept while the tracking server was away.

    Idempotent: running it twice creates nothing twice.
    """
    from credit_mlops.cli.render import console as render
    from credit_mlops.errors import TrackingError
    from credit_mlops.train import sync as sync_mod
    from credit_mlops.train.workflow import open_tracker

    settings = _settings(profile, mlflow_uri)
    outbox = settings.tracking.store_path(settings.root) / "outbox"
    if not sync_mod.entries(outbox):
        if json_out:
            render.emit_json([])
        else:
            render.note(f"nothing to sync: {outbox} is empty")
        return
    results = sync_mod.sync(open_tracker(settings), outbox)
    if json_out:
        render.emit_json([r.__dict__ for r in results])
    else:
        render.sync_results(results)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        error = TrackingError(
            f"{len(failed)} of {len(results)} outbox entries could not be synced "
            f"({failed[0].error}); they stay in {outbox} for the next try"
        )
        error.exit_code = failed[0].exit_code  # 3 when the server is still away
        raise error
