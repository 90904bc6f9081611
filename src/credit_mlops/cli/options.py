"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings

Profile = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        help="Settings profile: configs/<NAME>.toml (default: $CREDIT_PROFILE or 'local').",
        show_default=False,
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary.")]
Json = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable JSON result on stdout.")
]
DataPath = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="A local copy of SouthGermanCredit.asc (setting data.path).",
        show_default=False,
        dir_okay=False,
    ),
]
MlflowUri = Annotated[
    str | None,
    typer.Option(
        "--mlflow-uri",
        help="Tracking URI (env MLFLOW_TRACKING_URI); default: the local store.",
        show_default=False,
    ),
]
MlflowExperiment = Annotated[
    str | None,
    typer.Option(
        "--mlflow-experiment",
        help="Experiment name (env MLFLOW_EXPERIMENT).",
        show_default=False,
    ),
]
Target = Annotated[
    str,
    typer.Argument(
        help="NAME (latest), NAME/VERSION, NAME/STAGE, NAME@ALIAS, models:/… or "
        "runs:/RUN_ID/model.",
        show_default=False,
    ),
]

TrainingData = Annotated[
    Path | None,
    typer.Option(
        "--training-data",
        help="The file the model trained on (for its holdout); default data.path.",
        dir_okay=False,
    ),
]


def uri_settings(profile: str | None, mlflow_uri: str | None) -> Settings:
    """The settings of a command whose only settings flag is --mlflow-uri."""
    from credit_mlops.config.loader import load_settings

    return load_settings(profile, {"tracking": {"uri": mlflow_uri}})
