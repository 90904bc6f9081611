"""`credit evaluate TARGET`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.options import Json, MlflowUri, Profile, Target, TrainingData


def evaluate(
    target: Target,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Score this validated file instead of the holdout.", dir_okay=False
        ),
    ] = None,
    training_data: TrainingData = None,
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
    from credit_mlops.cli.render import console, lifecycle
    from credit_mlops.config.loader import load_settings
    from credit_mlops.lifecycle.evaluate import evaluate as run_evaluate
    from credit_mlops.tracking.open import open_tracker

    settings = load_settings(
        profile, {"tracking": {"uri": mlflow_uri}, "data": {"path": training_data}}
    )
    if output_dir is not None:  # a new folder is made inside an existing, writable one
        from credit_mlops.files import writable_dir

        writable_dir(
            output_dir if output_dir.exists() else output_dir.parent, setting="--output-dir"
        )
    store = open_tracker(settings, existing=True)
    report = run_evaluate(settings, store, target, data_path=data, output_dir=output_dir)
    if json_out:
        console.emit_json(report)
    else:
        lifecycle.evaluation(report)
