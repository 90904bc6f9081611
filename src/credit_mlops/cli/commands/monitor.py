"""`credit monitor TARGET --data NEW`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.options import (
    OUTPUT_DIR_RULE,
    MlflowUri,
    Profile,
    Target,
    checked_input,
    checked_output_dir,
    given_path,
    regular_input,
)
from credit_mlops.cli.values import output_path


class FailOn(StrEnum):
    major = "major"
    moderate = "moderate"
    never = "never"


class MonitorFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def monitor(
    target: Target,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="The new applicants (the training schema; target optional).",
            show_default=False,
            parser=given_path,
            callback=regular_input,
        ),
    ] = None,
    served: Annotated[
        bool,
        typer.Option(
            "--served", help="Monitor what `credit serve` decided (its journal), per version."
        ),
    ] = False,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            help="With --served: decisions from this date or time on (UTC).",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 5 when this band is reached by the score or any column "
            "(setting monitor.fail_on, default never).",
            show_default=False,
        ),
    ] = None,
    training_data: Annotated[
        Path | None,
        typer.Option(
            "--training-data",
            help="The file the model trained on, to recompute an older run's reference.",
            dir_okay=False,
            callback=checked_input,
        ),
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            help=f"Where to write the PNG and JSON. {OUTPUT_DIR_RULE}",
            parser=output_path,
            metavar="<folder>",
            callback=checked_output_dir,
        ),
    ] = None,
    fmt: Annotated[
        MonitorFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MonitorFormat.table,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
) -> None:
    """Population stability: PSI of the score and every column against training.

    Bands: < 0.10 stable, 0.10-0.25 moderate shift, > 0.25 major shift. The result is
    logged as a monitoring run (tag run_type=monitoring) and the score's PSI is set as a
    tag on the model version.
    """
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import console
    from credit_mlops.cli.render import monitor as render
    from credit_mlops.errors import CheckFailedError, InputError
    from credit_mlops.monitor.monitor import monitor as run_monitor
    from credit_mlops.monitor.psi import reached
    from credit_mlops.tracking.open import open_tracker

    if (data is None) == (not served) or (since is not None and not served):
        raise InputError("give --data FILE, or --served [--since DATE] for the served decisions")
    if served and output_dir is not None:
        raise InputError("--output-dir goes with --data; --served writes one folder per version")
    settings = settings_from(profile, mlflow_uri=mlflow_uri, training_data=training_data)
    band = fail_on.value if fail_on else settings.monitor.fail_on
    store = open_tracker(settings, existing=True)
    if data is not None:
        reports = [run_monitor(settings, store, target, data_path=data, output_dir=output_dir)]
        render.monitoring(reports[0], fmt.value)
    else:
        from credit_mlops.monitor.served import monitor_served

        journaled = monitor_served(settings, store, target, since=_utc(since))
        for line in journaled.notes:
            console.note(f"note: {line}")
        reports = journaled.reports
        render.per_version(reports, fmt.value)
    for report in reports:
        if reached(report.result.worst, band):
            raise CheckFailedError(render.failure_line(report, band))


def _utc(when: datetime | None) -> datetime | None:
    from datetime import UTC

    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when
