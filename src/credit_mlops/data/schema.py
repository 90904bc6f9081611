"""The default data set's columns, read from its description (configs/data/, shipped).

Nothing about South German Credit is written here: the constants below are the shipped
description's, kept for the code paths that use the default data set (the seed-compatible
inputs, the default profile). Nothing is repaired silently: a file that breaks the
description is refused with the column and the first offending lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from credit_mlops.data.described import default
from credit_mlops.data.description import Description

Kind = Literal["nominal", "numeric", "ordinal", "binary"]


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    english: str
    kind: Kind
    low: int
    high: int


def column_specs(description: Description) -> tuple[ColumnSpec, ...]:
    """Integer-coded or integer numeric columns as (name, label, kind, low, high)."""
    out = []
    for name, column in description.columns.items():
        if column.range is not None:
            low, high = int(column.range[0]), int(column.range[1])
        else:
            codes = [int(c) for c in column.code_values]
            low, high = min(codes), max(codes)
        out.append(ColumnSpec(name, column.label or name, column.kind, low, high))
    return tuple(out)


DEFAULT: Description = default()
TARGET = DEFAULT.target.column
DATA_FILE = DEFAULT.file or "data.csv"
# Shipped with the project (CC BY 4.0, attribution beside it), relative to the project root:
# the default trains with no network; `credit data fetch` refreshes it into data.dir.
SHIPPED_FILE = Path("data") / DEFAULT.name / DATA_FILE
COLUMNS: tuple[ColumnSpec, ...] = column_specs(DEFAULT)
FEATURES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
ENGLISH_TO_GERMAN: dict[str, str] = DEFAULT.aliases() | (
    {DEFAULT.target.label: TARGET} if DEFAULT.target.label else {}
)
SPEC: dict[str, ColumnSpec] = {c.name: c for c in COLUMNS}


FIRST_ROWS = 5
