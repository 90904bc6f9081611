"""`credit data fetch`, `credit data validate` and `credit data synth`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.commands.drift import drift
from credit_mlops.cli.options import Profile, Quiet, given_path, regular_data
from credit_mlops.cli.values import output_file_path, rows_option, seed_option

app = typer.Typer(help="Obtain, describe, check or synthesise data.", no_args_is_help=True)
app.command("drift")(drift)


@app.command("fetch")
def fetch(
    profile: Profile = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Archive URL (setting data.url).")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Download the UCI archive into data/raw/, extract it and validate the file."""
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import console, misc
    from credit_mlops.data.fetch import fetch_data

    settings = settings_from(profile, url=url)
    bar = None if quiet else misc.DownloadBar()
    done = False
    try:
        fetched = fetch_data(settings, progressbar=bar or False, url_flag=url is not None)
        done = True
    finally:
        if bar is not None:
            bar.close(done=done)
    if fetched.skipped:
        console.note(f"left in the archive (not needed): {', '.join(fetched.skipped)}")
    console.note(f"✓ {fetched.path} is valid {fetched.title} data")


@app.command("describe")
def describe(
    path: Annotated[Path, typer.Argument(help="Data file: CSV (any separator, gzip) or Parquet.")],
    target: Annotated[str, typer.Option("--target", help="The target column.")],
    bad: Annotated[str, typer.Option("--bad", help="The target value that means a bad credit.")],
    good: Annotated[
        str | None,
        typer.Option("--good", help="The good value (needed when the target has 3+ values)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="TOML file to write (default: print it).",
            parser=output_file_path,
            metavar="<file>",
        ),
    ] = None,
) -> None:
    """Draft a data description: kinds, codes, ranges and missing values from the file.

    The table (stderr) marks the columns to review; the draft trains unedited. Point the
    profile at it with data.description = "PATH" (or CREDIT_DATA__DESCRIPTION).
    """
    from credit_mlops.cli.render import misc
    from credit_mlops.data.draft import describe_file

    drafted, text = describe_file(path, target=target, bad=bad, good=good, output=output)
    misc.draft_table(drafted, str(output) if output else None)
    if output is None:
        sys.stdout.write(text)


@app.command("validate")
def validate(
    path: Annotated[
        Path | None, typer.Argument(help="File to check (default: the configured data file).")
    ] = None,
    profile: Profile = None,
) -> None:
    """Check a data file against the data description; report the first violation."""
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import console
    from credit_mlops.data.locate import validate_data

    dataset = validate_data(settings_from(profile), path)
    counts = dataset.y.value_counts().to_dict()
    console.note(
        f"✓ {dataset.source}: {dataset.shape[0]} rows, {dataset.shape[1]} features, "
        f"good {counts.get(1, 0)} / bad {counts.get(0, 0)}, digest {dataset.digest}"
    )


@app.command("synth")
def synth(
    rows: Annotated[int, rows_option("How many applicants.")],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="File to write (whole or not at all; '-' is standard output). Its folder "
            "must exist.",
            parser=output_file_path,
            metavar="<file>",
        ),
    ],
    seed: Annotated[int, seed_option("Same seed, same rows.")] = 0,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="csv or parquet; default by suffix (another format's, e.g. .json, is "
            "refused). South German Credit's CSV is "
            "space-separated like its file, one --like another comma-separated.",
        ),
    ] = None,
    like: Annotated[
        Path | None,
        typer.Option(
            "--like",
            help="A data file (read with the profile's data description) to fit the "
            "generator on: its columns, codes, missing values and correlations, kept as "
            "aggregates only. Default: South German Credit's shipped fit.",
            show_default=False,
            parser=given_path,
            callback=regular_data,
        ),
    ] = None,
    profile: Profile = None,
) -> None:
    """Write seeded synthetic applicants shaped like the real data, or like --like FILE."""
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import console
    from credit_mlops.data.formats import output_format
    from credit_mlops.data.synth import coded_target, plan, synthesize_chunks
    from credit_mlops.data.writers import TableWriter
    from credit_mlops.files import output_file

    chosen = output_format(output, fmt, command="credit data synth")
    output_file(output, setting="--output", not_same_as=like)  # before any work
    fitted, described = plan(settings_from(profile), like)
    sep = "," if chosen != "csv" or like is not None else " "
    # chunk by chunk: 10 million rows need the memory of one chunk, not of the whole table
    with TableWriter(output, chosen, sep=sep) as writer:
        for chunk in synthesize_chunks(rows, seed=seed, profile=fitted, description=described):
            writer.write(coded_target(chunk, described))
    shaped = f", like {like}" if like is not None else ""
    console.note(f"✓ {output}: {rows} synthetic applicants ({chosen}, seed {seed}{shaped})")
