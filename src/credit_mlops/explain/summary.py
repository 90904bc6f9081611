"""The global view: mean |attribution| per original column over a set of rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from credit_mlops.explain.attribution import Attribution
from credit_mlops.explain.codetable import english


@dataclass(frozen=True)
class Importance:
    column: str
    name: str  # English, readable
    mean_abs: float
    share: float  # of the sum over columns
    mean: float  # signed: > 0 pushes towards bad on average


def importance(attribution: Attribution) -> list[Importance]:
    """Columns by mean |attribution|, largest first (ties in column order)."""
    values = attribution.values
    mean_abs = np.abs(values).mean(axis=0) if len(values) else np.zeros(len(attribution.columns))
    mean = values.mean(axis=0) if len(values) else np.zeros(len(attribution.columns))
    total = float(mean_abs.sum()) or 1.0
    order = np.argsort(-mean_abs, kind="stable")
    return [
        Importance(
            column=attribution.columns[i],
            name=english(attribution.columns[i]),
            mean_abs=float(mean_abs[i]),
            share=float(mean_abs[i]) / total,
            mean=float(mean[i]),
        )
        for i in order
    ]
