"""The shifts `credit data drift` plants, named by column, for any described data set.

A shift is written as text, on the command line or under `[shifts]` in a data description:

- `COLUMN*FACTOR`: every value of a numeric column times FACTOR, rounded for a whole-number
  column, kept inside the column's range (`alter*0.7`: a 40-year-old becomes 28, at least
  the range's low 18);
- `COLUMN=CODE,CODE,...@SHARE`: that share of the applicants (0 to 1) get a code of the
  column drawn from the ones listed (`verw=0,5,8,9,10@0.6`), any coded kind, text codes too;
- a name the description gives under `[shifts]` (for example `younger = ["alter*0.7"]`),
  standing for its list;
- `none`: no change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from credit_mlops.data.description import Description

NONE = "none"
_SCALE = re.compile(r"^\s*([^*=@\s]+)\s*\*\s*([^*=@\s]+)\s*$")
_MIX = re.compile(r"^\s*([^*=@\s]+)\s*=\s*([^@]+?)\s*@\s*([^@\s]+)\s*$")
FORMS = "COLUMN*FACTOR, COLUMN=CODE,CODE@SHARE"


@dataclass(frozen=True)
class Scale:
    column: str
    factor: float
    low: float | None
    high: float | None
    integer: bool


@dataclass(frozen=True)
class Mix:
    column: str
    codes: tuple[object, ...]
    share: float


Shift = Scale | Mix


def resolve(texts: Sequence[str], description: Description) -> list[Shift]:
    """The shifts `texts` name, in order; ValueError naming the one at fault and the fix."""
    out: list[Shift] = []
    for text in texts:
        name = text.strip()
        if name == NONE:
            continue
        if name in description.shifts:
            out += [parse(spec, description) for spec in description.shifts[name]]
        else:
            out.append(parse(name, description))
    return out


def named(description: Description) -> list[str]:
    return [NONE, *description.shifts]


def parse(text: str, description: Description) -> Shift:
    scale, mix = _SCALE.match(text), _MIX.match(text)
    if scale is None and mix is None:
        known = ", ".join(named(description))
        raise ValueError(f"unknown shift {text!r}; give {known}, or {FORMS}")
    column = (scale or mix).group(1)  # type: ignore[union-attr]
    spec = description.columns.get(description.aliases().get(column, column))
    if spec is None:
        raise ValueError(f"shift {text!r}: no column {column!r} in the data description")
    column = description.aliases().get(column, column)
    if scale is not None:
        factor = _number(scale.group(2), text, "factor")
        if spec.kind != "numeric" or factor < 0:
            why = f"{column!r} is {spec.kind}" if spec.kind != "numeric" else "a negative factor"
            raise ValueError(
                f"shift {text!r}: {why}; scale a numeric column by a factor >= 0, or "
                f"draw codes with {column}=CODE,CODE@SHARE"
            )
        low, high = spec.range if spec.range is not None else (None, None)
        return Scale(column, factor, low, high, spec.integer)
    assert mix is not None
    share = _number(mix.group(3), text, "share")
    if not 0 < share <= 1:
        raise ValueError(f"shift {text!r}: the share is a fraction above 0, at most 1")
    if not spec.codes:
        raise ValueError(f"shift {text!r}: {column!r} is numeric; scale it with {column}*FACTOR")
    listed = [c.strip() for c in mix.group(2).split(",")]
    unknown = [c for c in listed if c not in spec.codes]
    if unknown or not listed:
        raise ValueError(
            f"shift {text!r}: {column!r} has no code(s) {', '.join(unknown) or '(none given)'}"
            f"; its codes are {', '.join(spec.codes)}"
        )
    codes = tuple(int(c) if spec.integer_codes else c for c in listed)
    return Mix(column, codes, share)


def _number(text: str, shift: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"shift {shift!r}: the {what} {text!r} is not a number")
    return value


def apply(frame: pd.DataFrame, shifts: Sequence[Shift], rng: np.random.Generator) -> None:
    """Each shift in turn, in place (a column's gaps stay gaps)."""
    for shift in shifts:
        if isinstance(shift, Scale):
            with np.errstate(over="ignore"):  # a huge factor: inf, clipped to the range
                values = frame[shift.column].to_numpy(dtype=float) * shift.factor
            if shift.integer:
                values = np.rint(values)
            low = -np.inf if shift.low is None else shift.low
            high = np.inf if shift.high is None else shift.high
            values = np.clip(values, low, high)
            whole = shift.integer and not np.isnan(values).any()
            frame[shift.column] = values.astype("int64") if whole else values
        else:
            moved = rng.random(len(frame)) < shift.share
            column = frame[shift.column].to_numpy(copy=True)
            column[moved] = rng.choice(np.array(shift.codes, dtype=column.dtype), moved.sum())
            frame[shift.column] = column
