"""Options shared by several commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.models import OptionInfo

from credit_mlops.cli.values import output_path

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings
    from credit_mlops.tracking.store import TrackingStore


def regular_input(param: typer.CallbackParam, value: Path | None) -> Path | None:
    """An applicants file that exists must be a regular file: a folder, a pipe or a device
    is said as what it is while the flags are parsed. A missing file is said where it is
    read, with how to get it."""
    from credit_mlops.data.formats import APPLICANTS_FIX

    return _regular(param, value, APPLICANTS_FIX)


def regular_data(param: typer.CallbackParam, value: Path | None) -> Path | None:
    """`regular_input` for a data file (one with the target column)."""
    from credit_mlops.data.formats import DATA_FIX

    return _regular(param, value, DATA_FIX)


def given_path(raw: str) -> Path:
    """A file named in a flag, as typed: empty is refused (pathlib would make it '.')."""
    if not raw.strip():
        raise typer.BadParameter("is empty; give a file name, or leave the option out")
    return Path(raw)


def _regular(param: typer.CallbackParam, value: Path | None, fix: str) -> Path | None:
    from credit_mlops.link_loops import refuse_loop

    setting = (param.opts or ["--data"])[0]
    if value is not None:
        refuse_loop(value, setting)  # exists() is False for it: never "does not exist"
    if value is None or not value.exists():
        return value
    from credit_mlops.files import input_file

    return input_file(value, setting=setting, fix=f"; {fix}")


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
        help="The data file, read with the data description (setting data.path; default: "
        "the shipped South German Credit).",
        show_default=False,
        parser=given_path,
        callback=regular_data,
    ),
]


def _given_uri(value: str | None) -> str | None:
    if value is not None and not value.strip():  # never the local store by omission
        raise typer.BadParameter("is empty; give a tracking URI, or leave the flag out")
    return value


MlflowUri = Annotated[
    str | None,
    typer.Option(
        "--mlflow-uri",
        help="Tracking URI (env MLFLOW_TRACKING_URI); default: the local store.",
        show_default=False,
        callback=_given_uri,
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


def _checked_target(value: str) -> str:
    """The target's grammar and names, checked while the flags are parsed: before any
    settings, store or file is touched (exit 2, one line)."""
    from credit_mlops.lifecycle.targets import parse_target

    parse_target(value)
    return value


def checked_model_name(value: str | None) -> str | None:
    """A registered model name given as an argument, checked while the flags are parsed."""
    from credit_mlops import names

    return None if value is None else names.registered_model(value, flag="NAME")


Target = Annotated[
    str,
    typer.Argument(
        help="NAME (latest), NAME/VERSION, NAME/STAGE, NAME@ALIAS, models:/… or "
        "runs:/RUN_ID/model.",
        show_default=False,
        callback=_checked_target,
    ),
]


def checked_input(param: typer.CallbackParam, value: Path | None) -> Path | None:
    """A file the user names must be there: refused while the flags are parsed, never
    silently replaced by another file the tool could find."""
    if value is None:
        return None
    from credit_mlops.data.formats import DATA_FIX
    from credit_mlops.files import input_file

    return input_file(value, setting=(param.opts or ["--training-data"])[0], fix=f"; {DATA_FIX}")


TrainingData = Annotated[
    Path | None,
    typer.Option(
        "--training-data",
        help="The file the model trained on (for its holdout); default data.path.",
        parser=given_path,
        callback=checked_input,
    ),
]


def _scored_file(verb: str) -> OptionInfo:
    """`--data` of a command that reads a model's holdout unless given a file."""
    return typer.Option(
        "--data",
        help=f"{verb} this validated file instead of the holdout.",
        parser=given_path,
        callback=regular_input,
    )


def checked_output_dir(param: typer.CallbackParam, value: Path | None) -> Path | None:
    """Every output folder a user names follows one rule, checked while the flags are
    parsed: made if missing, but the folder above it must exist (as for an output file)."""
    if value is None:
        return None
    from credit_mlops.files import output_folder

    return output_folder(value, setting=(param.opts or ["--output-dir"])[0])


OUTPUT_DIR_RULE = "Made if missing; the folder above it must exist."


def _figures_dir(table: str) -> OptionInfo:
    return typer.Option(
        "--output-dir",
        help=f"Where to write the PNGs and {table}. {OUTPUT_DIR_RULE}",
        parser=output_path,
        metavar="<folder>",
        callback=checked_output_dir,
    )


# evaluate, explain and fairness: the same options, each help naming the command's work
ScoreFile = Annotated[Path | None, _scored_file("Score")]
ExplainFile = Annotated[Path | None, _scored_file("Explain")]
MeasureFile = Annotated[Path | None, _scored_file("Measure on")]
FiguresCsvDir = Annotated[Path | None, _figures_dir("CSV")]
FiguresJsonDir = Annotated[Path | None, _figures_dir("JSON")]


def evaluation_store(
    profile: str | None,
    mlflow_uri: str | None,
    training_data: Path | None,
    *,
    check: Callable[[Settings], None] | None = None,
) -> tuple[Settings, TrackingStore]:
    """The settings and existing store of evaluate, explain and fairness; `check` refuses
    bad input after the settings load and before the store opens."""
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.tracking.open import open_tracker

    settings = settings_from(profile, mlflow_uri=mlflow_uri, training_data=training_data)
    if check is not None:
        check(settings)
    return settings, open_tracker(settings, existing=True)


def uri_settings(profile: str | None, mlflow_uri: str | None) -> Settings:
    """The settings of a command whose only settings flag is --mlflow-uri."""
    from credit_mlops.cli.flags import settings_from

    return settings_from(profile, mlflow_uri=mlflow_uri)
