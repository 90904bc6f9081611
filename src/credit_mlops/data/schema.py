"""The South German Credit schema and its validation.

Nothing is repaired silently: a file that breaks the schema is refused with the column and
the first offending lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from credit_mlops.errors import DataError

TARGET = "kredit"


DATA_FILE = "SouthGermanCredit.asc"


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
    """Check columns, integer codes in their domains, ranges, target; raise DataError."""
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    expected = list(FEATURES) if features_only else [*FEATURES, TARGET]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(missing)}; expected the South German "
            "Credit columns (German or English names, see data/README.md)"
        )
    extra = [c for c in frame.columns if c not in (*FEATURES, TARGET)]
    if extra:
        raise DataError(f"{source}: unexpected column(s) {', '.join(map(str, extra))}")
    if frame.empty:
        raise DataError(f"{source}: no data rows; fetch a fresh copy with `credit data fetch`")
    check_no_missing(frame, source)
    for name in frame.columns:
        _check_integer(frame[name], source)

    columns = {
        spec.name: pa.Column(
            "int64",
            pa.Check.in_range(spec.low, spec.high),
            nullable=False,
            coerce=False,
        )
        for spec in COLUMNS
    }
    schema = pa.DataFrameSchema(columns, strict=False)
    try:
        schema.validate(frame[list(FEATURES)], lazy=True)
    except SchemaErrors as exc:
        raise DataError(_describe(exc.failure_cases, source)) from None
    if TARGET in frame.columns and not features_only:
        check_target(frame[TARGET], source, min_rows_per_class)


def _describe(cases: pd.DataFrame, source: str) -> str:
    first = cases.iloc[0]
    column = str(first["column"])
    bad = cases[cases["column"] == column]
    rows = [int(i) for i in bad["index"].dropna().tolist()][:FIRST_ROWS]
    spec = SPEC[column]
    where = ", ".join(
        f"line {r + 2} ({frame_value})"
        for r, frame_value in zip(rows, bad["failure_case"].tolist()[:FIRST_ROWS], strict=False)
    )
    label = "codes" if spec.kind != "numeric" else "values"
    return (
        f"{source}: column '{column}' has {len(bad)} {label} outside {spec.low}–{spec.high}: "
        f"{where}; fix those rows or fetch a fresh copy"
    )


def check_no_missing(frame: pd.DataFrame, source: str) -> None:
    nulls = frame.isna()
    if nulls.to_numpy().any():
        column = str(nulls.any().idxmax())
        rows = frame.index[nulls[column]].tolist()[:FIRST_ROWS]
        lines = ", ".join(str(int(r) + 2) for r in rows)
        raise DataError(
            f"{source}: column '{column}' has missing values at line(s) {lines} "
            "(truncated or incomplete file?); fix the file or fetch a fresh copy"
        )


def _check_integer(series: pd.Series, source: str) -> None:
    if pd.api.types.is_integer_dtype(series):
        return
    numeric = pd.to_numeric(series, errors="coerce")
    bad = series.index[numeric.isna() | (numeric % 1 != 0)].tolist()[:FIRST_ROWS]
    shown = ", ".join(f"line {int(r) + 2} ({series.loc[r]!r})" for r in bad)
    raise DataError(
        f"{source}: column '{series.name}' must hold integer codes; not integers at {shown}"
    )


def check_target(y: pd.Series, source: str, min_rows_per_class: int) -> None:
    _check_integer(y, source)
    values = set(pd.unique(y).tolist())
    if not values <= {0, 1}:
        odd = sorted(values - {0, 1})[:FIRST_ROWS]
        raise DataError(f"{source}: target '{TARGET}' must be binary (1 good, 0 bad); found {odd}")
    if len(values) < 2:
        raise DataError(
            f"{source}: target '{TARGET}' has a single class ({values.pop()}); "
            "training needs both good (1) and bad (0) rows"
        )
    counts = y.value_counts()
    small = counts[counts < min_rows_per_class]
    if not small.empty:
        cls = int(small.index[0])
        raise DataError(
            f"{source}: target class {cls} has {int(small.iloc[0])} rows, fewer than the "
            f"minimum {min_rows_per_class} (setting data.min_rows_per_class)"
        )
