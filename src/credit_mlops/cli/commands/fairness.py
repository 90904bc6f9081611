"""`credit fairness TARGET`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from credit_mlops.cli.options import (
    FiguresJsonDir,
    MeasureFile,
    MlflowUri,
    Profile,
    Target,
    TrainingData,
    evaluation_store,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def fairness(
    target: Target,
    data: MeasureFile = None,
    training_data: TrainingData = None,
    output_dir: FiguresJsonDir = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table, json, csv or markdown.")
    ] = Format.table,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
) -> None:
    """Is the model fair: group metrics, parity and the four-fifths rule.

    Groups (settings fairness.attributes, fairness.bands): age bands, foreign worker, and
    sex where famges identifies it. Logged as an evaluation run; the figures are also set
    as tags on the model version.
    """
    from credit_mlops.cli.render import fairness as render
    from credit_mlops.fairness.assess import assess, check_settings

    # an unknown group column is refused before the store opens
    settings, store = evaluation_store(profile, mlflow_uri, training_data, check=check_settings)
    result = assess(settings, store, target, data_path=data, output_dir=output_dir)
    if fmt is Format.table:
        render.tables(result)
    else:
        writer = {"json": render.to_json, "csv": render.to_csv, "markdown": render.to_markdown}
        typer.echo(writer[fmt.value](result), nl=False)
