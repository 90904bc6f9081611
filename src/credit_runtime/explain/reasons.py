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
    words, top = ranked(attribution, X, k, label=label)
    out: dict[str, object] = {}
    for rank in range(k):
        out[f"reason_{rank + 1}"] = words[rank]
    for rank in range(k):
        value = top[:, rank] if rank < top.shape[1] else np.full(len(X), np.nan)
        out[f"reason_{rank + 1}_value"] = np.where(value > 0, value, np.nan)
    return pd.DataFrame(out, index=X.index)


def ranked(
    attribution: Attribution,
    X: pd.DataFrame,
    k: int,
    *,
    label: Callable[[str, object], str] | None = None,
) -> tuple[list[list[str | None]], np.ndarray]:
    """For each rank 1..k, every row's reason (None where fewer than `rank` columns push
    towards a bad credit, or there are fewer columns than `rank`), and the top contributions
    (rows x min(k, columns))."""
    from credit_runtime.frames import column_arrays

    label = label or _plain
    values = attribution.values
    columns = attribution.columns
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(values, order, axis=1)
    present = [c for c in columns if c in X.columns]
    raw = dict(zip(present, column_arrays(X, present), strict=True))
    labels: dict[tuple[int, object], str] = {}
    words: list[list[str | None]] = []
    for rank in range(min(k, len(columns))):
        names: list[str | None] = []
        for row, (col_idx, value) in enumerate(
            zip(order[:, rank].tolist(), top[:, rank].tolist(), strict=True)
        ):
            if value <= 0:
                names.append(None)
                continue
            column = columns[col_idx]
            shown = raw[column][row] if column in raw else None
            key = (col_idx, shown)
            if key not in labels:
                labels[key] = label(column, shown) if column in raw else column
            names.append(labels[key])
        words.append(names)
    words.extend([None] * len(X) for _ in range(k - len(words)))
    return words, top


def _plain(column: str, value: object) -> str:
    return f"{column}: {value}"
