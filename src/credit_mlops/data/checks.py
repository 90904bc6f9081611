"""Schema validation, vectorised: every row is checked with whole-column numpy operations.

A column is first checked by its minimum and maximum; only a column that fails is searched
for its offending rows, so a valid million-row file costs a few column scans. Messages name
the column, how many rows fail, and the first rows with their values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from credit_mlops.data.schema import COLUMNS, FEATURES, FIRST_ROWS, TARGET
from credit_mlops.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

# How a data row is named: ("line", 2) for a CSV with a header, ("row", 1) for Parquet.
Location = tuple[str, int]
CSV_LINES: Location = ("line", 2)
PARQUET_ROWS: Location = ("row", 1)


def validate_frame(
    frame: pd.DataFrame,
    *,
    source: str,
    min_rows_per_class: int = 30,
    features_only: bool = False,
    where: Location = CSV_LINES,
) -> None:
    """Columns present, no missing values, integer codes in their domains, a usable target.

    The frame's index must be the row positions in the file (chunks keep theirs), so the
    rows named in a message are the rows of the file.
    """
    expected = list(FEATURES) if features_only else [*FEATURES, TARGET]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        separator_hint(frame, source)
        raise DataError(
            f"{source}: missing column(s) {', '.join(missing)}; expected the South German "
            "Credit columns (German or English names, see data/README.md)"
        )
    extra = [c for c in frame.columns if c not in (*FEATURES, TARGET)]
    if extra:
        raise DataError(f"{source}: unexpected column(s) {', '.join(map(str, extra))}")
    if frame.empty:
        raise DataError(f"{source}: no data rows; fetch a fresh copy with `credit data fetch`")
    check_no_missing(frame, source, where)
    for spec in COLUMNS:
        values = integer_codes(frame[spec.name], source, where)
        _check_range(frame, spec.name, values, spec.low, spec.high, source, where)
    if TARGET in frame.columns and not features_only:
        check_target(frame[TARGET], source, min_rows_per_class, where)


def check_no_missing(frame: pd.DataFrame, source: str, where: Location = CSV_LINES) -> None:
    nulls = frame.isna().to_numpy()
    if not nulls.any():
        return
    column_at = int(np.flatnonzero(nulls.any(axis=0))[0])
    rows = frame.index[np.flatnonzero(nulls[:, column_at])[:FIRST_ROWS]]
    word, offset = where
    shown = ", ".join(str(int(r) + offset) for r in rows)
    raise DataError(
        f"{source}: column '{frame.columns[column_at]}' has missing values at {word}(s) "
        f"{shown} (truncated or incomplete file?); fix the file or fetch a fresh copy"
    )


def integer_codes(series: pd.Series, source: str, where: Location = CSV_LINES) -> np.ndarray:
    """The column as int64, or a DataError naming the first values that are not integers."""
    import pandas as pd

    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype="int64")
    if pd.api.types.is_float_dtype(series.dtype):
        numeric = series.to_numpy(dtype="float64")
    else:
        numeric = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64")
    bad = ~np.isfinite(numeric)
    bad[~bad] = numeric[~bad] % 1 != 0
    if bad.any():
        word, offset = where
        positions = np.flatnonzero(bad)[:FIRST_ROWS]
        shown = ", ".join(
            f"{word} {int(series.index[p]) + offset} ({as_written(series.iloc[p])})"
            for p in positions
        )
        raise DataError(
            f"{source}: column '{series.name}' must hold integer codes; not integers at {shown}"
        )
    return numeric.astype("int64")


def _check_range(
    frame: pd.DataFrame,
    name: str,
    values: np.ndarray,
    low: int,
    high: int,
    source: str,
    where: Location,
) -> None:
    if values.min() >= low and values.max() <= high:
        return
    outside = np.flatnonzero((values < low) | (values > high))
    word, offset = where
    shown = ", ".join(
        f"{word} {int(frame.index[p]) + offset} ({values[p]})" for p in outside[:FIRST_ROWS]
    )
    kind = next(c.kind for c in COLUMNS if c.name == name)
    label = "codes" if kind != "numeric" else "values"
    raise DataError(
        f"{source}: column '{name}' has {len(outside)} {label} outside {low}–{high}: "
        f"{shown}; fix those rows or fetch a fresh copy"
    )


def check_target(
    y: pd.Series, source: str, min_rows_per_class: int, where: Location = CSV_LINES
) -> None:
    values, counts = np.unique(integer_codes(y, source, where), return_counts=True)
    found = {int(v) for v in values}
    if not found <= {0, 1}:
        odd = sorted(found - {0, 1})[:FIRST_ROWS]
        raise DataError(f"{source}: target '{TARGET}' must be binary (1 good, 0 bad); found {odd}")
    if len(found) < 2:
        raise DataError(
            f"{source}: target '{TARGET}' has a single class ({found.pop()}); "
            "training needs both good (1) and bad (0) rows"
        )
    for cls, count in zip(values, counts, strict=True):
        if count < min_rows_per_class:
            raise DataError(
                f"{source}: target class {int(cls)} has {int(count)} rows, fewer than the "
                f"minimum {min_rows_per_class} (setting data.min_rows_per_class)"
            )


def as_codes(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The validated columns as int64, in the given order."""
    return frame[names].astype("int64")


def as_written(value: object) -> str:
    """A value as the file shows it: 2.5, not np.float64(2.5); text in quotes."""
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return repr(value)


def separator_hint(frame: pd.DataFrame, source: str) -> None:
    """A table read as one column whose name holds a separator: say which one it looks like."""
    if len(frame.columns) != 1:
        return
    name = str(frame.columns[0])
    for sep in ("|", ";", ":", ",", "\t"):
        if name.count(sep) >= 2:
            raise DataError(
                f"{source}: looks separated by {sep!r}, which is not read as a separator; "
                "save it comma-separated (or space-separated, as published)"
            )
