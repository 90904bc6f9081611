"""`credit data drift`: a seeded synthetic applicant file with a planted shift."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit_mlops.cli.options import DataPath, Profile
from credit_mlops.cli.values import output_file_path, rows_option, seed_option


def drift(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="File to write (.csv: comma-separated; '-' is standard output). Its folder "
            "must exist.",
            parser=output_file_path,
            metavar="<file>",
            show_default=False,
        ),
    ],
    rows: Annotated[int, rows_option("Applicants to write.", "--rows", "-n")] = 1000,
    shift: Annotated[
        list[str] | None,
        typer.Option(
            "--shift",
            help="COLUMN*FACTOR (a numeric column scaled), COLUMN=CODE,CODE@SHARE (that "
            "share redrawn from those codes), a shift the data description names (South "
            "German Credit: younger, longer, purpose) or none; repeatable, default none.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, seed_option("Random seed.")] = 0,
    data: DataPath = None,
    profile: Profile = None,
) -> None:
    """Write synthetic applicants like the data's, with a controlled shift."""
    from credit_mlops.cli.flags import settings_from
    from credit_mlops.cli.render import console
    from credit_mlops.data.drift import write_drifted

    settings = settings_from(profile, data=data)
    written = write_drifted(settings, output, rows=rows, shifts=shift or ["none"], seed=seed)
    console.note(
        f"✓ {rows} synthetic applicants ({', '.join(shift or ['none'])}, seed {seed}) "
        f"from {written.source} → {written.path}"
    )
