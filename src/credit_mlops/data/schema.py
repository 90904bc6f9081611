"""The South German Credit schema and its validation.

Nothing is repaired silently: a file that breaks the schema is refused with the column and
the first offending lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

TARGET = "kredit"


DATA_FILE = "SouthGermanCredit.asc"
# Shipped with the project (CC BY 4.0, attribution beside it), relative to the project root:
# the default trains with no network; `credit data fetch` refreshes it into data.dir.
SHIPPED_FILE = Path("data/south-german-credit") / DATA_FILE


Kind = Literal["nominal", "numeric", "ordinal", "binary"]


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    english: str
    kind: Kind
    low: int
    high: int


# Codes from codetable.txt; the numeric ranges are plausibility bounds, wider than the data.
COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("laufkont", "status", "nominal", 1, 4),
    ColumnSpec("laufzeit", "duration", "numeric", 1, 120),
    ColumnSpec("moral", "credit_history", "nominal", 0, 4),
    ColumnSpec("verw", "purpose", "nominal", 0, 10),
    ColumnSpec("hoehe", "amount", "numeric", 1, 1_000_000),
    ColumnSpec("sparkont", "savings", "ordinal", 1, 5),
    ColumnSpec("beszeit", "employment_duration", "ordinal", 1, 5),
    ColumnSpec("rate", "installment_rate", "ordinal", 1, 4),
    ColumnSpec("famges", "personal_status_sex", "nominal", 1, 4),
    ColumnSpec("buerge", "other_debtors", "nominal", 1, 3),
    ColumnSpec("wohnzeit", "present_residence", "ordinal", 1, 4),
    ColumnSpec("verm", "property", "ordinal", 1, 4),
    ColumnSpec("alter", "age", "numeric", 18, 100),
    ColumnSpec("weitkred", "other_installment_plans", "nominal", 1, 3),
    ColumnSpec("wohn", "housing", "nominal", 1, 3),
    ColumnSpec("bishkred", "number_credits", "ordinal", 1, 4),
    ColumnSpec("beruf", "job", "ordinal", 1, 4),
    ColumnSpec("pers", "people_liable", "binary", 1, 2),
    ColumnSpec("telef", "telephone", "binary", 1, 2),
    ColumnSpec("gastarb", "foreign_worker", "binary", 1, 2),
)


FEATURES: tuple[str, ...] = tuple(c.name for c in COLUMNS)


ENGLISH_TO_GERMAN: dict[str, str] = {c.english: c.name for c in COLUMNS} | {"credit_risk": TARGET}


SPEC: dict[str, ColumnSpec] = {c.name: c for c in COLUMNS}


FIRST_ROWS = 5


def validate(
    frame: pd.DataFrame,
    *,
    source: str,
    min_rows_per_class: int = 30,
    features_only: bool = False,
) -> None:
    """Check columns, integer codes in their domains, ranges, target; raise DataError.

    Every row is checked with column operations (`data.checks`).
    """
    from credit_mlops.data.checks import validate_frame

    validate_frame(
        frame, source=source, min_rows_per_class=min_rows_per_class, features_only=features_only
    )


def check_no_missing(frame: pd.DataFrame, source: str) -> None:
    from credit_mlops.data import checks

    checks.check_no_missing(frame, source)


def check_target(y: pd.Series, source: str, min_rows_per_class: int) -> None:
    from credit_mlops.data import checks

    checks.check_target(y, source, min_rows_per_class)
