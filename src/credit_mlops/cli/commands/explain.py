"""`credit explain TARGET`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.options import Json, MlflowUri, Profile, Target, TrainingData


def explain(
    target: Target,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Explain this validated file instead of the holdout.", dir_okay=False
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
    """What drives a model: mean |SHAP| per original column, with plots.

    On the holdout (or --data), logged as an evaluation run linked to the model version.
    """
    from credit_mlops.cli.render import console
    from credit_mlops.cli.render import explain as render
    from credit_mlops.config.loader import load_settings
    from credit_mlops.explain.workflow import explain_model
    from credit_mlops.tracking.open import open_tracker

    settings = load_settings(
        profile, {"tracking": {"uri": mlflow_uri}, "data": {"path": training_data}}
    )
    store = open_tracker(settings, existing=True)
    report = explain_model(settings, store, target, data_path=data, output_dir=output_dir)
    if json_out:
        console.emit_json(report)
    else:
        render.explanation(report)
