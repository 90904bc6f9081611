"""`credit compare`: rich comparison tables of runs and registered models."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.options import MlflowUri, Profile
from credit_mlops.cli.values import model_filter_option, output_file_path, whole_option


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def compare(
    experiment: Annotated[
        str | None, typer.Option("--experiment", "-e", help="Experiment (default: the profile's).")
    ] = None,
    model: Annotated[
        list[str] | None, model_filter_option("Only this model key (repeatable).")
    ] = None,
    filter_string: Annotated[
        str | None,
        typer.Option(
            "--filter", help="An MLflow search filter, e.g. \"params.smote__used = 'True'\"."
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", help="KEY=VALUE a run's tag must have (repeatable)."),
    ] = None,
    sort: Annotated[
        str | None, typer.Option("--sort", help="Metric to sort by (default: the primary metric).")
    ] = None,
    top: Annotated[
        int | None,
        whole_option("--top", help="Show the best N rows.", low=1, high=None, why="rows to show"),
    ] = None,
    all_runs: Annotated[
        bool, typer.Option("--all-runs", help="Every run, not the latest per model.")
    ] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="Runs started since a date or a duration (7d).")
    ] = None,
    runs: Annotated[
        list[str] | None,
        typer.Option("--runs", help="Runs side by side (repeatable or comma-separated)."),
    ] = None,
    registry: Annotated[
        bool, typer.Option("--registry", help="One row per registered model version.")
    ] = False,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format [default: by the --output file's extension (.csv, .json, "
            ".md), else table].",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to FILE instead of stdout; its folder must exist.",
            parser=output_file_path,
            metavar="<file>",
        ),
    ] = None,
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
) -> None:
    """Which model is best, and how sure are we.

    Runs and registered model versions side by side, as a table or json/csv/markdown.
    """
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import compare as render
    from credit_mlops.cli.render.console import note
    from credit_mlops.compare import views
    from credit_mlops.compare.query import Query, parse_since, parse_tags
    from credit_mlops.compare.sort_keys import check_sort_metric
    from credit_mlops.data.output_kinds import COMPARE, chosen
    from credit_mlops.errors import InputError
    from credit_mlops.files import STDOUT, output_file
    from credit_mlops.tracking.open import open_tracker, store_exists

    shape = chosen(output or STDOUT, fmt.value if fmt else None, COMPARE)  # before any work
    settings = settings_from(profile, mlflow_uri=mlflow_uri, experiment=experiment)
    if sum(bool(x) for x in (runs, registry, all_runs)) > 1:
        raise InputError("--runs, --registry and --all-runs are separate views; pick one")
    keys = tuple(k.strip() for item in (model or []) for k in item.split(",") if k.strip())
    query = Query(
        experiment=settings.tracking.experiment,
        primary=settings.tracking.primary_metric,
        sort=sort,
        models=keys,
        filter=filter_string,
        tags=parse_tags(tag or []),
        since=since,
        top=top,
        all_runs=all_runs,
        page_size=settings.tracking.search_page_size,
        experiment_given=experiment is not None,
        primary_from=settings.named("tracking.primary_metric"),
    )
    if since:
        parse_since(since)  # a bad value is refused before the store is opened
    if output is not None:
        output_file(output, setting="--output")
    ids = _run_ids(runs)
    shown = settings.tracking_uri_shown
    if not (runs or registry or experiment or store_exists(settings)):
        check_sort_metric(sort, (), what="the runs")
        result = views.nothing_yet(query, shown)  # nothing trained yet: no store to open
    elif runs:
        result = views.compare_runs(open_tracker(settings, existing=True), ids, shown)
    elif registry:
        result = views.compare_registry(open_tracker(settings, existing=True), query, shown)
    else:
        result = views.compare(open_tracker(settings, existing=True), query, shown)
    if result.ended:  # runs a killed credit process left RUNNING: said apart from the view
        note(f"note: {result.ended}")
    if not result.rows and shape == "table" and output is None:
        what = "registered model versions" if registry else "runs"
        narrowed = bool(keys or filter_string or tag or since)
        hint = (
            "; none matches --model, --filter, --tag or --since: widen them"
            if narrowed
            else ("" if registry else "; train some with `credit train`")
        )
        note(f"no {what} to compare in {result.experiment or 'the registry'} at {shown}{hint}")
        return
    render.comparison(result, shape, output)


def _run_ids(runs: list[str] | None) -> list[str]:
    """--runs, repeated or comma-separated; given empty (`''`, `,`) it is refused, never read
    as "no runs in the registry"."""
    from credit_mlops.errors import InputError
    from credit_mlops.names import run_id

    ids = [run_id(r.strip(), flag="--runs") for x in runs or [] for r in x.split(",") if r.strip()]
    if runs and not ids:
        raise InputError("--runs: no run id given; give run ids (`credit compare` lists them)")
    return ids
