"""Reason columns for a batch of applicants: the original columns that pushed P(bad) up most.

Only columns with a positive contribution (towards a bad credit, hence rejection) are named;
an applicant with fewer than K such columns gets empty cells. Each reason reads like
`status: no checking account` or `duration: 48 months`, in the data description's words.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from credit_runtime.explain.attribution import Attribution

DEFAULT_REASONS = 4


def reason_columns(k: int) -> list[str]:
    return [f"reason_{i}" for i in range(1, k + 1)] + [f"reason_{i}_value" for i in range(1, k + 1)]


def reasons(
    attribution: Attribution,
    X: pd.DataFrame,
    k: int = DEFAULT_REASONS,
    *,
    label: Callable[[str, object], str] | None = None,
) -> pd.DataFrame:
    """reason_1..k (readable) and reason_1_value..k (the contribution, in the attribution's
    space) for each row of X, in X's order; k >= 1. `label(column, value)` words a reason
    (a logged model passes its data description's; default `column: value`)."""
    label = label or _plain
    values = attribution.values
    columns = attribution.columns
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(values, order, axis=1)
    raw = {c: X[c].to_numpy() for c in columns if c in X.columns}
    labels: dict[tuple[int, object], str] = {}
    out: dict[str, object] = {}
    for rank in range(min(k, len(columns))):
        names: list[str | None] = []
        for row, (col_idx, value) in enumerate(zip(order[:, rank], top[:, rank], strict=True)):
            if value <= 0:
                names.append(None)
                continue
            column = columns[col_idx]
            shown = raw[column][row] if column in raw else None
            key = (int(col_idx), shown)
            if key not in labels:
                labels[key] = label(column, shown) if column in raw else column
            names.append(labels[key])
        out[f"reason_{rank + 1}"] = names
        out[f"reason_{rank + 1}_value"] = np.where(top[:, rank] > 0, top[:, rank], np.nan)
    frame = pd.DataFrame(out, index=X.index)
    for name in reason_columns(k):
        if name not in frame.columns:  # fewer columns than reasons asked for
            frame[name] = np.nan if name.endswith("_value") else None
    return frame[reason_columns(k)]


def _plain(column: str, value: object) -> str:
    return f"{column}: {value}"
