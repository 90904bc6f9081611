"""Words for columns and their values, from a data description (the default data set's when
none is given): a code's label, a number with its unit.

Readable names for reasons and group labels come from the description that travels with the
model, never from a data folder read at run time.
"""

from __future__ import annotations

from collections.abc import Mapping

from credit_mlops.data.description import Description
from credit_mlops.data.schema import DEFAULT


def names(description: Description) -> dict[str, str]:
    """Column -> label, the target included."""
    out = {n: c.label or n for n, c in description.columns.items()}
    return out | {description.target.column: description.label(description.target.column)}


def units(description: Description) -> dict[str, str]:
    return {n: c.unit for n, c in description.columns.items() if c.unit}


def codes(description: Description) -> dict[str, dict[int, str]]:
    """Integer codes -> label per column; the target's bad and good values."""
    out = {
        n: {int(k): v for k, v in c.codes.items()}
        for n, c in description.columns.items()
        if c.integer_codes
    }
    target = description.target
    if all(isinstance(v, int) for v in (*target.bad, *target.good)):
        out[target.column] = {int(v): "bad" for v in target.bad} | {
            int(v): "good" for v in target.good
        }
    return out


ENGLISH: dict[str, str] = names(DEFAULT)
UNITS: dict[str, str] = units(DEFAULT)
CODES: dict[str, dict[int, str]] = codes(DEFAULT)


def english(column: str) -> str:
    """The English name of a column (German or English given); unknown names unchanged."""
    return ENGLISH.get(column, column)


def value_label(column: str, value: object, codes: Mapping[str, Mapping[int, str]] = CODES) -> str:
    """What a value of a column means: a code's label, a number with its unit, or the value."""
    number = _as_number(value)
    if column in codes and number is not None and float(number).is_integer():
        label = codes[column].get(int(number))
        if label is not None:
            return label
    if column in UNITS and number is not None:
        shown = int(number) if float(number).is_integer() else round(float(number), 4)
        return f"{shown} {UNITS[column]}"
    if number is not None:
        return f"{number:g}"
    return str(value)


def describe(column: str, value: object) -> str:
    """`status: no checking account`, `duration: 48 months`; other columns `name: value`."""
    return f"{english(column)}: {value_label(column, value)}"


def _as_number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
