"""`credit data describe`: a data description drafted from a data file.

Kinds are inferred per column: text -> nominal; two values -> binary; a few distinct whole
numbers -> ordinal when they run without gaps, else nominal (both marked for review: the
data cannot say whether the order means something); all values distinct -> the id column;
anything else -> numeric, with a range widened beyond the data. Missing values are allowed
where the file has some. The draft, unedited, is enough to train; the marked columns are
where a person should look.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from credit_mlops.data.description import Description, parse

if TYPE_CHECKING:
    from credit_mlops.data.checks import Location
from credit_mlops.errors import DataError

FEW_CODES = 10  # whole-number columns with at most this many values are coded
MANY_CATEGORIES = 50  # a text column with more categories is marked for review


@dataclass(frozen=True)
class Drafted:
    """What was inferred for one column (the table `credit data describe` shows)."""

    column: str
    kind: str  # numeric | ordinal | nominal | binary | id | target
    values: str  # codes or range, shortened
    missing: int
    review: str | None


@dataclass(frozen=True)
class Draft:
    description: Description
    rows: int
    columns: tuple[Drafted, ...]


def draft(path: Path, *, target: str, bad: str, good: str | None = None) -> Draft:
    """A description of the file at `path` with `target` as the target (`bad` its bad value)."""
    from credit_mlops.data.checks import CSV_LINES, PARQUET_ROWS
    from credit_mlops.data.formats import file_format
    from credit_mlops.data.tables import read_table

    frame = read_table(path)
    where = PARQUET_ROWS if file_format(path) == "parquet" else CSV_LINES
    if target not in frame.columns:
        raise DataError(
            f"{path}: no column {target!r} for --target; columns: "
            f"{', '.join(map(str, frame.columns[:20]))}"
        )
    if frame.empty:
        raise DataError(f"{path}: no data rows to describe")
    target_part, target_row = _target(frame[target], bad, good, path)
    columns: dict[str, Any] = {}
    rows: list[Drafted] = [target_row]
    id_column: str | None = None
    for name in frame.columns:
        if name == target:
            continue
        series = frame[name]
        if id_column is None and _is_id(series):
            id_column = str(name)
            rows.append(Drafted(str(name), "id", "all distinct", int(series.isna().sum()), None))
            continue
        spec, row = _column(str(name), series, (str(path), where))
        columns[str(name)] = spec
        rows.append(row)
    data: dict[str, Any] = {"name": _name(path), "target": target_part, "columns": columns}
    if id_column is not None:
        data["id"] = id_column
    return Draft(parse(data, source=f"the draft of {path}"), len(frame), tuple(rows))


def _target(y: pd.Series, bad: str, good: str | None, path: Path) -> tuple[dict[str, Any], Drafted]:
    values = [_native(v) for v in pd.unique(y.dropna())]
    by_text = {str(v): v for v in values}
    if bad not in by_text:
        raise DataError(
            f"{path}: --bad {bad!r} is not a value of {y.name!r} (values: "
            f"{', '.join(sorted(by_text)[:10])}); give the value that means a bad credit"
        )
    if good is not None:
        if good not in by_text:
            raise DataError(f"{path}: --good {good!r} is not a value of {y.name!r}")
        if good == bad:
            raise DataError(f"{path}: --good and --bad are both {bad!r}; give two values")
        goods = [by_text[good]]
    else:
        goods = [v for v in values if str(v) != bad]
    others = sorted(set(by_text) - {bad, *map(str, goods)})
    if not goods:
        raise DataError(f"{path}: target {y.name!r} has only the value {bad!r}; no good rows")
    if others:
        fix = (
            "remove or recode the rows with the others"
            if good is not None
            else "give the good one with --good (other values are refused as rows)"
        )
        raise DataError(
            f"{path}: target {y.name!r} has values {', '.join(sorted(by_text)[:10])}: {fix}"
        )
    part = {"column": str(y.name), "bad": [by_text[bad]], "good": goods}
    shown = f"bad {bad}, good {'/'.join(map(str, goods))}"
    return part, Drafted(str(y.name), "target", shown, int(y.isna().sum()), None)


def _column(
    name: str, series: pd.Series, at: tuple[str, Location]
) -> tuple[dict[str, Any], Drafted]:
    from credit_mlops.data.checks import finite

    missing = int(series.isna().sum())
    present = series.dropna()
    spec: dict[str, Any] = {"label": name}
    if missing:
        spec["missing"] = True
    review: str | None = None
    numeric = _numbers(present)
    if numeric is not None:
        finite(present, numeric, *at)  # `1e999` is refused with its line, as validate does
    if numeric is None:  # text
        codes = sorted(map(str, pd.unique(present.astype(str).str.strip())))
        kind = "binary" if len(codes) == 2 else "nominal"
        spec |= {"kind": kind, "codes": {c: c for c in codes}}
        if len(codes) > MANY_CATEGORIES:
            review = f"{len(codes)} categories: group rare ones?"
        shown = _codes(codes)
    elif _whole(numeric) and len(distinct := np.unique(numeric)) <= FEW_CODES:
        codes = [str(int(v)) for v in distinct]
        gapless = len(distinct) > 1 and distinct[-1] - distinct[0] == len(distinct) - 1
        kind = "binary" if len(codes) == 2 else ("ordinal" if gapless else "nominal")
        spec |= {"kind": kind, "codes": {c: c for c in codes}}
        if kind != "binary":
            review = "few whole numbers: ordinal, nominal or numeric? label the codes"
        shown = _codes(codes)
    else:
        low, high = _widened(numeric)
        spec |= {"kind": "numeric", "range": [low, high]}
        if _whole(numeric):
            spec["integer"] = True
        seen = f"{_number(float(numeric.min()))}..{_number(float(numeric.max()))}"
        shown = f"{seen} -> range {_number(low)}..{_number(high)}"
    if review:
        spec["review"] = review
    return spec, Drafted(name, spec["kind"], shown, missing, review)


def _numbers(series: pd.Series) -> np.ndarray | None:
    """The values as floats, or None for a text column."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return None
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype="float64")
    converted = pd.to_numeric(series, errors="coerce")
    if converted.isna().any():
        return None
    return converted.to_numpy(dtype="float64")


def _whole(values: np.ndarray) -> bool:
    return bool(np.all(values % 1 == 0))


def _is_id(series: pd.Series) -> bool:
    """All values distinct, none missing, text or whole numbers: an identifier."""
    if len(series) < 2 or series.isna().any() or not series.is_unique:
        return False
    if pd.api.types.is_float_dtype(series.dtype):
        return False
    return not pd.api.types.is_bool_dtype(series.dtype)


def _widened(values: np.ndarray) -> tuple[float, float]:
    """The data's range widened by half its span each side (not below 0 for non-negative
    data), rounded outwards: plausible bounds, not the sample's."""
    low, high = float(values.min()), float(values.max())
    span = (high - low) or max(abs(high), 1.0)
    wide_low = low - span / 2
    if low >= 0:
        wide_low = max(wide_low, 0.0)
    wide_high = high + span / 2
    # near the largest float (1.7e308) there is no room to widen: the data's own bound
    wide_low = wide_low if math.isfinite(wide_low) else low
    wide_high = wide_high if math.isfinite(wide_high) else high
    return _round(wide_low, math.floor), _round(wide_high, math.ceil)


def _round(value: float, how: Any) -> float:
    if value == 0:
        return 0.0
    step = 10 ** max(math.floor(math.log10(abs(value))) - 1, 0)
    rounded = how(value / step) * step  # a whole number, beyond a float's reach near 1.8e308
    return float(rounded) if abs(rounded) <= sys.float_info.max else value


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:6])
    return shown + (f", ... ({len(codes)})" if len(codes) > 6 else "")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _native(value: object) -> int | str:
    if isinstance(value, np.integer | int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    return str(value).strip()


def _name(path: Path) -> str:
    stem = path.name.split(".")[0]
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in stem).strip("-") or "data"


def describe_file(
    path: Path, *, target: str, bad: str, good: str | None = None, output: Path | None = None
) -> tuple[Draft, str]:
    """`credit data describe`: the draft and its TOML text, written to `output` if given."""
    from credit_mlops.data.description_toml import to_toml

    if output is not None:  # before any work: never the data file itself, nor a store's
        from credit_mlops.data.output_kinds import DESCRIPTION, chosen
        from credit_mlops.files import output_file

        output_file(output, setting="--output", not_same_as=path)
        chosen(output, None, DESCRIPTION)  # a .json or .yaml name is refused: TOML is written
    result = draft(path, target=target, bad=bad, good=good)
    marked = sum(1 for c in result.columns if c.review)
    header = (
        f"Drafted by `credit data describe` from {path.name} ({result.rows} rows).\n"
        f"Check the columns with a `review` note ({marked}), give labels in plain words, and\n"
        "add [protected.COLUMN] tables for `credit fairness` (none is drafted)."
    )
    text = to_toml(result.description, header=header)
    if output is not None:
        from credit_mlops import files

        try:
            files.write_text(output, text)
        except OSError as exc:
            raise DataError(f"-o {output}: cannot write ({exc.strerror})") from exc
    return result, text
