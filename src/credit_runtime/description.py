"""Applicants checked against the data description the model carries, and reasons worded
from it.

The description travels with the logged model (`credit/description.json`, the JSON of the
data set's description file), so the model refuses what `credit predict` refuses without the
project installed:

    {"columns": {"laufkont": {"label": "status", "kind": "nominal", "aliases": ["status"],
                              "codes": {"1": "no checking account", ...}},
                 "laufzeit": {"label": "duration", "kind": "numeric", "range": [1, 120],
                              "integer": true, "unit": "months"}, ...}}

Integer codes must be one of the codes; numbers must lie in their range and be whole where
`integer` says so (an integer-valued float such as 2.0 is accepted); missing values are refused
unless `missing` allows them; aliases are accepted names. Labels and units word a reason.
Every row is checked with whole-column numpy operations; the first offending row is named,
counted from 0 in the frame given to `predict`. Other keys (target, protected attributes) are
not needed for scoring and are ignored.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from credit_runtime.errors import InvalidInput
from credit_runtime.frames import EXACT_INTEGER
from credit_runtime.frames import names as column_names

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SHOWN_NAMES = 5  # unknown or missing names listed in a message before "and N more"


@dataclass(frozen=True)
class Column:
    name: str
    label: str | None = None
    codes: Mapping[str, str] = field(default_factory=dict)  # code -> label
    low: float | None = None
    high: float | None = None
    integer: bool = False
    unit: str | None = None
    missing: bool = False  # missing values allowed
    aliases: tuple[str, ...] = ()

    @functools.cached_property
    def integer_codes(self) -> bool:
        return bool(self.codes) and all(_is_int(k) for k in self.codes)

    @functools.cached_property
    def code_array(self) -> np.ndarray:
        import numpy as np

        return np.array(sorted(int(k) for k in self.codes), dtype="int64")


@dataclass(frozen=True)
class Description:
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Description:
        """From the JSON of a data description (`credit_mlops.data.description`): columns
        keyed by name, each with kind, codes (code -> label), range, integer, unit, missing,
        aliases and label."""
        columns = []
        for name, raw in data["columns"].items():
            bounds = raw.get("range") or (None, None)
            columns.append(
                Column(
                    name=str(name),
                    label=raw.get("label") or None,
                    codes={str(k): str(v) for k, v in (raw.get("codes") or {}).items()},
                    low=bounds[0],
                    high=bounds[1],
                    integer=bool(raw.get("integer", False)),
                    unit=raw.get("unit"),
                    missing=bool(raw.get("missing", False)),
                    aliases=tuple(raw.get("aliases") or ()),
                )
            )
        return cls(tuple(columns))

    def describe(self, column: str, value: object) -> str:
        """`status: no checking account`, `duration: 48 months` (the code table's words)."""
        spec = next((c for c in self.columns if c.name == column), None)
        if spec is None:
            return f"{column}: {value}"
        return f"{spec.label or spec.name}: {_value_label(spec, value)}"

    def validate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The described columns as int64 (float64 where fractions are allowed), in order;
        InvalidInput naming the first bad row and column otherwise. Other columns are ignored."""
        import numpy as np
        import pandas as pd

        from credit_runtime.frames import column_arrays, int64_matrix

        frame = self._named(frame)
        # whole integer codes and counts, the common case: one check over the matrix; on any
        # doubt the column-by-column checks below decide and word the refusal
        check = self._integers
        if check is not None:
            matrix = int64_matrix(frame, self.names)
            if matrix is not None and check.accepts(matrix):
                return pd.DataFrame(matrix, columns=self._index, index=frame.index)
        raws = column_arrays(frame, self.names)
        arrays = [_column(c, raw) for c, raw in zip(self.columns, raws, strict=True)]
        if all(a.dtype == np.int64 for a in arrays):  # one block: cheaper for a few rows
            matrix = np.column_stack(arrays) if arrays else np.empty((len(frame), 0), "int64")
            return pd.DataFrame(matrix, columns=self._index, index=frame.index)
        return pd.DataFrame(
            dict(zip(self.names, arrays, strict=True)), index=frame.index, columns=self._index
        )

    @functools.cached_property
    def _index(self) -> pd.Index:
        """The column names as one index, built once (an index is immutable; building one
        from twenty names costs more than checking an applicant)."""
        import pandas as pd

        return pd.Index(list(self.names))

    @functools.cached_property
    def _aliases(self) -> dict[str, str]:
        return {a: c.name for c in self.columns for a in c.aliases}

    @functools.cached_property
    def _integers(self) -> _IntegerCheck | None:
        return _IntegerCheck.of(self.columns)

    def _named(self, frame: pd.DataFrame) -> pd.DataFrame:
        given = set(column_names(frame))
        twice = sorted(
            f"{v} (also as {k})" for k, v in self._aliases.items() if k in given and v in given
        )
        if twice:  # one would be decided on and the other recorded: neither is taken
            raise InvalidInput(
                f"column {twice[0]} is given twice: send each column once, by one name",
                column=twice[0].split(" ", 1)[0],
            )
        renamed = {k: v for k, v in self._aliases.items() if k in given and v not in given}
        if renamed:
            frame = frame.rename(columns=renamed)
            given = set(column_names(frame))
        missing = [c for c in self.names if c not in given]
        if missing:
            shown = ", ".join(missing[:SHOWN_NAMES])
            more = f" and {len(missing) - SHOWN_NAMES} more" if len(missing) > SHOWN_NAMES else ""
            raise InvalidInput(
                f"missing column(s) {shown}{more}: every applicant needs the columns "
                f"{', '.join(self.names)}",
                column=missing[0],
            )
        return frame


class _IntegerCheck:
    """Every described column checked at once on an int64 matrix (the columns in order):
    ranges compared as floats (exact below 2**53 in size; a larger value is never accepted
    here, the column by column checks decide it) and integer codes looked up in one table of
    allowed codes."""

    EXACT = float(EXACT_INTEGER)  # every int64 within it compares exactly as a float
    MOST_CODES = 4096  # widest code span kept as a table

    def __init__(self, low: np.ndarray, high: np.ndarray, coded: np.ndarray, base: int,
                 allowed: np.ndarray) -> None:  # fmt: skip
        import numpy as np

        self.low, self.high = low, high
        self.coded, self.base, self.allowed = coded, base, allowed
        self.rows = np.arange(len(coded))[None, :] if len(coded) else None

    @classmethod
    def of(cls, columns: tuple[Column, ...]) -> _IntegerCheck | None:
        """None when a column has text codes (integers are not its values)."""
        import numpy as np

        if any(c.codes and not c.integer_codes for c in columns):
            return None
        low = np.array([-cls.EXACT if c.low is None else max(c.low, -cls.EXACT) for c in columns])
        high = np.array([cls.EXACT if c.high is None else min(c.high, cls.EXACT) for c in columns])
        coded = [i for i, c in enumerate(columns) if c.integer_codes]
        codes = [columns[i].code_array for i in coded]
        base = min((int(a.min()) for a in codes), default=0)
        span = max((int(a.max()) for a in codes), default=0) - base + 1
        if span > cls.MOST_CODES:
            return None
        allowed = np.zeros((len(coded), span), dtype=bool)
        for row, array in enumerate(codes):
            allowed[row, array - base] = True
        return cls(low, high, np.array(coded, dtype=np.intp), base, allowed)

    def accepts(self, matrix: np.ndarray) -> bool:
        if not (matrix >= self.low).all() or not (matrix <= self.high).all():
            return False
        if self.rows is None:
            return True
        shifted = matrix[:, self.coded] - self.base
        if (shifted < 0).any() or (shifted >= self.allowed.shape[1]).any():
            return False
        return bool(self.allowed[self.rows, shifted].all())


def _column(spec: Column, raw: np.ndarray) -> np.ndarray:
    """One column checked with whole-array operations; integer input skips the float checks."""
    import numpy as np
    import pandas as pd

    if raw.dtype.kind in "iu":
        values: np.ndarray = raw.astype("int64", copy=False)
        missing = np.zeros(len(raw), dtype=bool)
    else:
        missing = np.asarray(pd.isna(raw), dtype=bool)
        if not spec.missing:
            _refuse(spec, raw, missing, "", missing=True)
        if spec.codes and not spec.integer_codes:  # text codes: the code itself
            known = np.isin(raw.astype(str), list(spec.codes)) | missing
            _refuse(spec, raw, ~known, "is not one of its codes", codes=True)
            return raw.astype(object)
        if raw.dtype.kind == "b":
            _refuse(spec, raw, np.ones(len(raw), dtype=bool), "is not a number")
        values = np.asarray(pd.to_numeric(raw, errors="coerce"), dtype="float64")
        _refuse(spec, raw, np.isnan(values) & ~missing, "is not a number")
        _refuse(spec, raw, np.isinf(values), "is not a finite number")
        if spec.integer or spec.integer_codes:
            _refuse(spec, raw, (values % 1 != 0) & ~missing, "is not a whole number")
    if spec.integer_codes:
        known = np.isin(values, spec.code_array) | missing
        _refuse(spec, raw, ~known, "is not one of its codes", values, codes=True)
    if spec.low is not None:
        _refuse(spec, raw, values < spec.low, f"is below {_number(spec.low)}", values)
    if spec.high is not None:
        _refuse(spec, raw, values > spec.high, f"is above {_number(spec.high)}", values)
    whole = spec.integer or spec.integer_codes
    return values.astype("int64") if whole and not missing.any() else values


def _refuse(
    spec: Column,
    raw: np.ndarray,
    bad: np.ndarray,
    what: str,
    values: np.ndarray | None = None,
    *,
    missing: bool = False,
    codes: bool = False,
) -> None:
    if not bad.any():
        return
    import numpy as np

    rows = np.flatnonzero(bad)
    row = int(rows[0])
    shown = raw[row] if values is None else values[row]
    domain = ""
    if codes:
        domain = f" (codes: {', '.join(list(spec.codes)[:12])})"
    elif values is not None and spec.low is not None and spec.high is not None:
        domain = f" (allowed: {_number(spec.low)} to {_number(spec.high)})"
    others = f"; {len(rows) - 1} more row(s) too" if len(rows) > 1 else ""
    said = "the value is missing" if missing else f"{_shown(shown)} {what}{domain}"
    raise InvalidInput(
        f"row {row}, column '{spec.name}': {said}{others}",
        row=row,
        column=spec.name,
    )


def _shown(value: object) -> str:
    # a whole float as an integer (2.0 -> 2), unless it is huge: 1e+308, not its 309 digits
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _value_label(spec: Column, value: object) -> str:
    """A code's label, a number with its unit, or the value (as `credit predict --explain`);
    a value not given is "missing" (as `credit monitor` and `credit fairness` name it)."""
    try:
        number: float | None = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = None
    if value is None or (number is not None and number != number):
        return "missing"
    if spec.codes:
        key = str(int(number)) if number is not None and number.is_integer() else str(value)
        label = spec.codes.get(key)
        if label is not None:
            return label
    if spec.unit and number is not None:
        shown = int(number) if float(number).is_integer() else round(float(number), 4)
        return f"{shown} {spec.unit}"
    if number is not None:
        return f"{number:g}"
    return str(value)


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True
