"""`credit report TARGET`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.options import (
    OUTPUT_DIR_RULE,
    Json,
    MlflowUri,
    Profile,
    Target,
    checked_input,
    checked_output_dir,
)
from credit_mlops.cli.values import output_path


def report(
    target: Target,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Folder for model_card.md, model_card.html and figures/ "
            f"(default .credit/reports/NAME-vVERSION). {OUTPUT_DIR_RULE}",
            parser=output_path,
            metavar="<folder>",
            callback=checked_output_dir,
        ),
    ] = None,
    training_data: Annotated[
        Path | None,
        typer.Option(
            "--training-data",
            help="The file the model trained on, to score its holdout for the card.",
            dir_okay=False,
            callback=checked_input,
        ),
    ] = None,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """Write a model card (Markdown and one self-contained HTML).

    The HTML is also logged on the version's training run as report/model_card.html.
    """
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import console
    from credit_mlops.cli.render import report as render
    from credit_mlops.report.report import report as run_report
    from credit_mlops.tracking.open import open_tracker

    settings = settings_from(profile, mlflow_uri=mlflow_uri, training_data=training_data)
    store = open_tracker(settings, existing=True)
    result = run_report(settings, store, target, output_dir=output)
    if json_out:
        console.emit_json(result)
    else:
        render.written(result)
