"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
