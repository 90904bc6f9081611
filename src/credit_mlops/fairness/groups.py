"""Which group each applicant belongs to, for one protected attribute.

Rules: a numeric column (age) is cut into bands given as increasing cut points (`[25, 35, 50]`
gives under 25, 25-34, 35-49, 50 and over); a protected attribute with `groups` in the data
description groups its codes so (South German Credit's `famges` gives sex: 1 and 3 male, 4
female), and its `unidentified` codes (famges 2 mixes "female non-single" with "male single")
are kept apart as not identifiable, never assigned; any other coded column groups by its
code table labels.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit_mlops.data.description import Description, Protected
from credit_mlops.errors import InputError
from credit_mlops.explain.codetable import UNITS, english, value_label

NOT_IDENTIFIABLE = "not identifiable"
MISSING = "missing"


@dataclass(frozen=True)
class Grouping:
    column: str
    attribute: str  # what is shown: "age", "foreign_worker", "sex"
    labels: pd.Series  # one label per row
    order: tuple[str, ...]  # the groups in reading order
    apart: str = ""  # why the not-identifiable rows are kept apart (the codes, in words)

    @property
    def identifiable(self) -> np.ndarray:
        return (self.labels != NOT_IDENTIFIABLE).to_numpy()


def check_bands(column: str, bands: Sequence[float]) -> tuple[float, ...]:
    cuts = tuple(bands)
    if not cuts:
        raise InputError(f"fairness bands for {column} are empty; give increasing cut points")
    if any(b2 <= b1 for b1, b2 in itertools.pairwise(cuts)):
        raise InputError(
            f"fairness bands for {column} must be strictly increasing, got {list(cuts)}; "
            "e.g. [25, 35, 50]"
        )
    return cuts


def band_labels(cuts: Sequence[float]) -> tuple[str, ...]:
    shown = [f"{c:g}" for c in cuts]
    middle = [f"{a}-{_below(b)}" for a, b in zip(shown, cuts[1:], strict=False)]  # [25, 35)
    return (f"under {shown[0]}", *middle, f"{shown[-1]} and over")


def check_attributes(
    attributes: Sequence[str],
    columns: Sequence[str],
    bands: Mapping[str, Sequence[float]],
    uncut: Sequence[str] = (),
) -> None:
    """Refuse, before anything is computed, no column at all (nothing to measure, and a gate
    on nothing would pass every model), a column the data does not have or named twice, a
    bad band, and bands for a column the data lacks or whose values are no numbers to cut
    (`uncut`: the nominal and binary ones): such bands would be ignored without a word."""
    if not attributes:
        raise InputError(
            "fairness.attributes is empty: there is no group to measure; name at least one "
            f"of the data's columns ({', '.join(columns[:6])}, ...)"
        )
    twice = next((c for c in attributes if list(attributes).count(c) > 1), None)
    if twice is not None:
        raise InputError(f"fairness.attributes names {twice!r} twice; name each column once")
    for column in bands:
        if column not in columns:
            raise InputError(
                f"fairness.bands.{column}: the data has no column {column!r} "
                f"({', '.join(columns[:8])}, ...); fix the name or drop the bands"
            )
        if column in uncut:
            raise InputError(
                f"fairness.bands.{column}: {column} holds codes, not numbers to cut into "
                "bands; drop them (its groups are its codes)"
            )
    for column in attributes:
        if column not in columns:
            raise InputError(
                f"unknown fairness group column {column!r}; use one of the data's columns "
                f"({', '.join(columns)}), setting fairness.attributes"
            )
        if column in bands:
            check_bands(column, bands[column])
        elif column in UNITS:
            raise InputError(
                f"fairness group column {column!r} is numeric: give its bands, e.g. "
                f"fairness.bands.{column} = [25, 35, 50]"
            )


def grouping(
    X: pd.DataFrame,
    column: str,
    bands: Mapping[str, Sequence[float]],
    description: Description | None = None,
) -> Grouping:
    from credit_mlops.data.schema import DEFAULT

    d = description or DEFAULT
    values = X[column]
    if column in bands:
        cuts = check_bands(column, bands[column])
        names = band_labels(cuts)
        index = np.searchsorted(np.asarray(cuts, dtype=float), values.to_numpy(float), "right")
        labels = pd.Series(np.asarray(names, dtype=object)[index], index=X.index)
        return Grouping(column, _title(column, d), labels, names)
    rule = d.protected.get(column)
    if rule is not None and rule.groups:
        return _declared(values, column, rule, d)
    spec = d.columns.get(column)

    def label(v: object) -> str:
        if v is None or v != v:  # a missing value is a group of its own
            return MISSING
        return (spec.code_label(v) if spec is not None else None) or value_label(column, v)

    codes = sorted(pd.unique(values.dropna()), key=lambda c: (isinstance(c, str), c))
    names = tuple(dict.fromkeys(label(c) for c in codes))
    labels = values.map(label)
    if labels.eq(MISSING).any():
        names = (*names, MISSING)
    return Grouping(column, _title(column, d), labels, names)


def _declared(values: pd.Series, column: str, rule: Protected, d: Description) -> Grouping:
    """Groups the description declares; unidentified (and unlisted) codes kept apart."""
    by_code = {str(c): name for name, codes in (rule.groups or {}).items() for c in codes}
    labels = values.map(lambda v: by_code.get(_key(v), NOT_IDENTIFIABLE))
    spec = d.columns.get(column)
    words = [
        f"{c} ({spec.code_label(c)})" if spec is not None and spec.code_label(c) else str(c)
        for c in rule.unidentified
    ]
    attribute = _title(column, d)
    plural = len(words) > 1
    apart = (
        f"{column} code{'s' if plural else ''} {', '.join(words)} "
        f"{'do' if plural else 'does'} not identify {attribute}"
        if words
        else ""
    )
    return Grouping(
        column, attribute, labels, (*(rule.groups or {}), NOT_IDENTIFIABLE), apart=apart
    )


def _title(column: str, d: Description) -> str:
    """The attribute's name in reports, figures, metrics and tags: one rule for every kind of
    grouping, the one `Description.same_name` checks for clashes."""
    return d.attribute_label(column) if column in d.columns else english(column)


def _key(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value.item() if hasattr(value, "item") else value)


def _below(cut: float) -> str:
    """The last whole value of a band ending before `cut` (35 -> 34)."""
    return f"{cut - 1:g}" if float(cut).is_integer() else f"<{cut:g}"
