"""Synthetic applicant files with a controlled shift, to show monitoring find what was planted.

Each synthetic applicant is new: its class (good or bad) is drawn with the data's share of
bad credits, then each column's value from a random row of that class (seeded). Every
column keeps its distribution and its link to the outcome; no real row is reproduced, so a
model's sharper scores on its own training rows cannot show up as a false shift (drawing
real rows did: a random forest's score PSI was 0.5 on unshifted training rows). Only the
correlations between columns within a class are lost. The shifts then change what they name,
column by column (data/shifts.py): a numeric column scaled, a coded one partly redrawn from
given codes, or a named shift of the data description.

The file has no target column: new applicants have no outcome yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from credit_mlops.data.memory import check_rows_fit
from credit_mlops.data.shifts import Shift, apply, resolve
from credit_mlops.errors import DataError, InputError

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings

# per column 8 bytes, held twice at the peak (the columns, the frame), plus the draws
COLUMN_BYTES, DRAW_BYTES = 2 * 8, 3 * 8


def drifted(
    features: pd.DataFrame,
    target: np.ndarray,
    *,
    rows: int,
    shifts: Sequence[Shift],
    seed: int,
) -> pd.DataFrame:
    """`rows` synthetic applicants like those of `features` (with their outcomes `target`),
    then `shifts` (resolved by data/shifts.py) applied in order."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    target = np.asarray(target)
    if len(target) != len(features) or len(target) == 0:
        raise ValueError("need one outcome per row and at least one row")
    rng = np.random.default_rng(seed)
    classes = target[rng.integers(0, len(target), rows)]
    members = {c: np.flatnonzero(target == c) for c in np.unique(target)}
    out: dict[str, np.ndarray] = {}
    for name in features.columns:
        values = features[name].to_numpy()
        column = np.empty(rows, dtype=values.dtype)
        for cls, rows_of_class in members.items():
            where = np.flatnonzero(classes == cls)
            column[where] = values[rng.choice(rows_of_class, size=where.size)]
        out[str(name)] = column
    frame = pd.DataFrame(out)
    apply(frame, shifts, rng)
    return frame


@dataclass(frozen=True)
class Written:
    path: Path
    source: str
    rows: int


def write_drifted(
    settings: Settings, output: Path, *, rows: int, shifts: Sequence[str], seed: int
) -> Written:
    """`credit data drift`: draw from the configured data file and write `output`."""
    from credit_mlops.data.formats import output_format
    from credit_mlops.data.locate import data_file, description, load_configured
    from credit_mlops.files import output_file

    output_format(output, command="credit data drift")  # an .xlsx or .json name: refused
    described = description(settings)
    try:
        planned = resolve(shifts, described)
    except ValueError as exc:
        raise InputError(f"--shift: {exc}") from None
    try:
        source: Path | None = data_file(settings, d=described)
    except DataError:  # no data file: said when it is read, once the output is checked
        source = None
    output_file(output, setting="--output", not_same_as=source)  # before any work
    check_rows_fit(rows, COLUMN_BYTES * len(described.columns) + DRAW_BYTES)  # before reading
    dataset = load_configured(settings)
    frame = drifted(dataset.X, dataset.y.to_numpy(), rows=rows, shifts=planned, seed=seed)
    _write(frame, output)
    return Written(output, dataset.source, rows)


def _write(frame: pd.DataFrame, output: Path) -> None:
    """Whole or not at all: comma-separated for .csv, Parquet for .parquet, else the
    published space-separated format."""
    from credit_mlops.data.formats import output_format
    from credit_mlops.data.writers import TableWriter

    fmt = output_format(output, command="credit data drift")
    try:
        sep = "," if output.suffix.lower() == ".csv" or fmt != "csv" else " "
        with TableWriter(output, fmt, sep=sep) as writer:
            writer.write(frame)
    except OSError as exc:
        raise InputError(f"--output {output}: cannot write ({exc.strerror})") from exc
