"""Synthetic applicant files with a controlled shift, to show monitoring find what was planted.

Each synthetic applicant is new: its class (good or bad) is drawn with the data's share of
bad credits, then each column's value from a random row of that class (seeded). Every
column keeps its distribution and its link to the outcome; no real row is reproduced, so a
model's sharper scores on its own training rows cannot show up as a false shift (drawing
real rows did: a random forest's score PSI was 0.5 on unshifted training rows). Only the
correlations between columns within a class are lost. A shift then changes one thing:

- `younger`: every age times 0.7 (a 40-year-old becomes 28), at least 18;
- `longer`: every duration times 1.5 (24 months become 36), at most 120;
- `purpose`: 60 % of the applicants get a purpose drawn from a new mix (others, domestic
  appliances, vacation, retraining, business: rare in the 1970s data);
- `none`: no change at all.

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
from credit_mlops.errors import InputError

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings

SHIFTS: tuple[str, ...] = ("none", "younger", "longer", "purpose")
AGE_FACTOR = 0.7
DURATION_FACTOR = 1.5
PURPOSE_SHARE = 0.6
NEW_PURPOSES = (0, 5, 8, 9, 10)

# 20 int64 columns, held twice at the peak (the columns, the frame), plus the draws
BYTES_PER_ROW = 2 * 20 * 8 + 3 * 8


def drifted(
    features: pd.DataFrame,
    target: np.ndarray,
    *,
    rows: int,
    shifts: Sequence[str],
    seed: int,
) -> pd.DataFrame:
    """`rows` synthetic applicants like those of `features` (with their outcomes `target`)."""
    unknown = [s for s in shifts if s not in SHIFTS]
    if unknown:
        raise ValueError(f"unknown shift(s) {', '.join(unknown)}; choose from {', '.join(SHIFTS)}")
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
    if "younger" in shifts:
        frame["alter"] = np.maximum(18, np.rint(frame["alter"] * AGE_FACTOR)).astype("int64")
    if "longer" in shifts:
        longer = np.rint(frame["laufzeit"] * DURATION_FACTOR)
        frame["laufzeit"] = np.minimum(120, longer).astype("int64")
    if "purpose" in shifts:
        moved = rng.random(rows) < PURPOSE_SHARE
        frame.loc[moved, "verw"] = rng.choice(NEW_PURPOSES, size=int(moved.sum()))
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
    from credit_mlops.data.locate import load_configured

    unknown = [s for s in shifts if s not in SHIFTS]
    if unknown:
        raise InputError(f"unknown --shift {', '.join(unknown)}; choose from {', '.join(SHIFTS)}")
    from credit_mlops.files import output_file

    output_file(output, setting="--output")  # before any work; no folder is created
    check_rows_fit(rows, BYTES_PER_ROW)  # before the data file is even read
    dataset = load_configured(settings)
    frame = drifted(dataset.X, dataset.y.to_numpy(), rows=rows, shifts=shifts, seed=seed)
    _write(frame, output)
    return Written(output, dataset.source, rows)


def _write(frame: pd.DataFrame, output: Path) -> None:
    """Whole or not at all: comma-separated for .csv, Parquet for .parquet, else the
    published space-separated format."""
    from credit_mlops.data.formats import output_format
    from credit_mlops.data.writers import TableWriter

    fmt = output_format(output)
    try:
        sep = "," if output.suffix.lower() == ".csv" or fmt != "csv" else " "
        with TableWriter(output, fmt, sep=sep) as writer:
            writer.write(frame)
    except OSError as exc:
        raise InputError(f"--output {output}: cannot write ({exc.strerror})") from exc
