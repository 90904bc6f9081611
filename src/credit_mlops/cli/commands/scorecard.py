"""`credit scorecard TARGET`."""

from __future__ import annotations

from typing import Annotated

import typer

from credit_mlops.cli.options import MlflowUri, Profile, Target


def scorecard(
    target: Target,
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", help="table (default), csv, markdown or json."),
    ] = "table",
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
) -> None:
    """Show a scorecard model's points table.

    Per characteristic its information value (IV), flagged below 0.02 as not predictive
    and above 0.5 as suspicious; per bin its count, bad rate, WoE, IV and points.
    """
    from credit_mlops.cli.options import uri_settings
    from credit_mlops.cli.render import scorecard as render
    from credit_mlops.errors import InputError
    from credit_mlops.lifecycle.scorecard import scorecard as build
    from credit_mlops.tracking.open import open_tracker

    if output_format not in ("table", *render.FORMATS):
        raise InputError(f"unknown format {output_format!r}; use table, csv, markdown or json")
    settings = uri_settings(profile, mlflow_uri)
    report = build(open_tracker(settings, existing=True), target)
    if output_format == "table":
        render.table(report)
    else:
        typer.echo(render.FORMATS[output_format](report), nl=False)
