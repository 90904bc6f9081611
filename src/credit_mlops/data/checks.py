"""Validation against a data description, vectorised: every row is checked with whole-column
numpy operations.

A column is first checked by its minimum and maximum (or set membership); only a column that
fails is searched for its offending rows, so a valid million-row file costs a few column
scans. Messages name the column, how many rows fail, and the first rows with their values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from credit_mlops.data.description import Column, Description, Target
from credit_mlops.data.schema import DEFAULT, FIRST_ROWS
from credit_mlops.errors import DataError, some

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
    description: Description | None = None,
    min_rows_per_class: int = 30,
    features_only: bool = False,
    where: Location = CSV_LINES,
) -> None:
    """Columns as described, missing values only where allowed, codes among the described
    ones, numbers in their ranges, a usable target.

    The frame's index must be the row positions in the file (chunks keep theirs), so the
    rows named in a message are the rows of the file.
    """
    d = description or DEFAULT
    check_columns(frame, d, source, features_only=features_only)
    if frame.empty:
        raise DataError(f"{source}: no data rows: the file holds its header and nothing else")
    for name, column in d.columns.items():
        check_column(frame[name], column, source, where)
    if d.target.column in frame.columns and not features_only:
        check_target(frame[d.target.column], source, min_rows_per_class, where, target=d.target)


def check_columns(
    frame: pd.DataFrame, d: Description, source: str, *, features_only: bool = False
) -> None:
    expected = d.features if features_only else [*d.features, d.target.column]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        separator_hint(frame, source)
        raise DataError(
            f"{source}: missing column(s) {some(missing)}; expected the columns of the "
            f"data description '{d.name}' (its names or aliases)"
        )
    extra = unexpected_columns(frame.columns, d)
    if extra:
        raise DataError(
            f"{source}: unexpected column(s) {some(extra)}: not in the data description "
            f"'{d.name}'; add them to it or drop them from the file"
        )


def check_column(series: pd.Series, column: Column, source: str, where: Location) -> None:
    nulls = series.isna().to_numpy()
    if nulls.any():
        if not column.missing:
            check_no_missing(series.to_frame(), source, where)
        series = series[~nulls]
        if series.empty:
            return
    if column.kind == "numeric":
        if column.integer:  # floats: a huge whole number is out of range, shown as written
            values = _integral(series, source, where)
        else:
            values = numbers(series, source, where)
        if column.range is not None:
            _check_range(series, values, column.range, "values", source, where)
        elif column.integer:
            integer_codes(series, source, where)  # no range: at least exact
    elif column.integer_codes:
        codes = integer_codes(series, source, where)
        _check_codes(series, codes, [int(c) for c in column.code_values], source, where)
    else:
        text = series.astype(str).to_numpy()
        _check_codes(series, text, list(column.codes), source, where)


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
        f"{shown} (truncated or incomplete file?); fix the file, or allow them in the data "
        "description (missing = true)"
    )


def integer_codes(series: pd.Series, source: str, where: Location = CSV_LINES) -> np.ndarray:
    """The column as int64, or a DataError naming the first values that are not integers."""
    import pandas as pd

    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype="int64")
    numeric = _integral(series, source, where)
    huge = np.abs(numeric) > 2.0**53  # beyond them a float is no exact whole number
    if huge.any():
        raise DataError(
            f"{source}: column '{series.name}' has whole numbers too large to be exact "
            f"(beyond 2**53) at {_shown(series, huge, where, numeric)}; fix those rows"
        )
    return numeric.astype("int64")


def _integral(series: pd.Series, source: str, where: Location) -> np.ndarray:
    """The column as float64 whole numbers, or a DataError naming the first that are not."""
    numeric = _as_float(series)
    finite(series, numeric, source, where)
    bad = ~np.isfinite(numeric)
    bad[~bad] = numeric[~bad] % 1 != 0
    if bad.any():
        raise DataError(
            f"{source}: column '{series.name}' must hold integer codes; not integers at "
            f"{_shown(series, bad, where)}"
        )
    return numeric


def numbers(series: pd.Series, source: str, where: Location = CSV_LINES) -> np.ndarray:
    numeric = _as_float(series)
    finite(series, numeric, source, where)
    bad = ~np.isfinite(numeric)
    if bad.any():
        raise DataError(
            f"{source}: column '{series.name}' must hold numbers; not numbers at "
            f"{_shown(series, bad, where)}"
        )
    return numeric


def finite(series: pd.Series, numeric: np.ndarray, source: str, where: Location) -> None:
    """`numeric` (the column as floats) holds no infinity: `1e999`, `inf` or `-1e999`, as
    some exports write an overflow, is refused with its lines, never used as a number."""
    bad = np.isinf(numeric)
    if bad.any():
        raise DataError(
            f"{source}: column '{series.name}' holds an infinite number at "
            f"{_shown(series, bad, where)}; fix the file"
        )


def _as_float(series: pd.Series) -> np.ndarray:
    import pandas as pd

    if pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype="float64")
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64")


def _check_range(
    series: pd.Series,
    values: np.ndarray,
    bounds: tuple[float, float],
    label: str,
    source: str,
    where: Location,
) -> None:
    low, high = bounds
    if values.min() >= low and values.max() <= high:
        return
    outside = (values < low) | (values > high)
    raise DataError(
        f"{source}: column '{series.name}' has {int(outside.sum())} {label} outside "
        f"{_number(low)}–{_number(high)}: {_shown(series, outside, where, values)}; "
        "fix those rows or widen the range in the data description"
    )


def _check_codes(
    series: pd.Series, values: np.ndarray, codes: list, source: str, where: Location
) -> None:
    if (
        codes
        and all(isinstance(c, int) for c in codes)
        and codes == list(range(min(codes), max(codes) + 1))
    ):  # contiguous integer codes: the message says the range, as the code table does
        _check_range(series, values, (min(codes), max(codes)), "codes", source, where)
        return
    unknown = ~np.isin(values, np.asarray(codes, dtype=values.dtype))
    if not unknown.any():
        return
    listed = ", ".join(map(str, codes[:10])) + (", ..." if len(codes) > 10 else "")
    raise DataError(
        f"{source}: column '{series.name}' has {int(unknown.sum())} codes not in the data "
        f"description ({listed}): {_shown(series, unknown, where, values)}; add them to its "
        "codes or fix those rows"
    )


def check_target(
    y: pd.Series,
    source: str,
    min_rows_per_class: int,
    where: Location = CSV_LINES,
    *,
    target: Target | None = None,
) -> None:
    """Every value bad or good, both classes with enough rows."""
    t = target or DEFAULT.target
    name = t.column if target is not None else y.name or t.column
    if y.isna().any():
        check_no_missing(y.to_frame(), source, where)
    good = good_mask(y, t, source, where)
    shown_good, shown_bad = _values(t.good), _values(t.bad)
    counts = {shown_bad: int((~good).sum()), shown_good: int(good.sum())}
    if 0 in counts.values():
        only = shown_good if counts[shown_bad] == 0 else shown_bad
        raise DataError(
            f"{source}: target '{name}' has a single class ({only}); "
            f"training needs both good ({shown_good}) and bad ({shown_bad}) rows"
        )
    for value, count in counts.items():
        if count < min_rows_per_class:
            raise DataError(
                f"{source}: target class {value} has {count} rows, fewer than the "
                f"minimum {min_rows_per_class} (setting data.min_rows_per_class)"
            )


def good_mask(
    y: pd.Series, target: Target, source: str = "data", where: Location = CSV_LINES
) -> np.ndarray:
    """True where the target is a good value; a DataError names a value neither bad nor good."""
    values: np.ndarray
    if all(isinstance(v, int) for v in (*target.bad, *target.good)):
        values = integer_codes(y, source, where)
        bad, good = np.isin(values, target.bad), np.isin(values, target.good)
    else:
        values = y.astype(str).str.strip().to_numpy()
        bad = np.isin(values, [str(v) for v in target.bad])
        good = np.isin(values, [str(v) for v in target.good])
    neither = ~(bad | good)
    if neither.any():
        odd = sorted({v.item() if hasattr(v, "item") else v for v in values[neither]})
        raise DataError(
            f"{source}: target '{y.name}' must be binary ({_values(target.good)} good, "
            f"{_values(target.bad)} bad); found {odd[:FIRST_ROWS]} at "
            f"{_shown(y, neither, where)}; fix those rows or list the value in the data "
            "description's target"
        )
    return good


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


def _shown(
    series: pd.Series, bad: np.ndarray, where: Location, values: np.ndarray | None = None
) -> str:
    word, offset = where
    positions = np.flatnonzero(bad)[:FIRST_ROWS]
    return ", ".join(
        f"{word} {int(series.index[p]) + offset} "
        f"({_value(values[p]) if values is not None else as_written(series.iloc[p])})"
        for p in positions
    )


def _value(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value)) if abs(float(value)) < 1e15 else f"{float(value):g}"
    return as_written(value) if isinstance(value, str) else str(value)


def _values(values: list[int | str]) -> str:
    return "/".join(map(str, values))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


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


def unexpected_columns(columns: Iterable[object], d: Description) -> list[str]:
    """The columns of a file that its description does not name (features, target, id)."""
    known = {*d.features, d.target.column, *([d.id] if d.id else [])}
    return [str(c) for c in columns if c not in known]
