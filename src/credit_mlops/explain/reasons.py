"""Reason columns for a batch of applicants: the original columns that pushed P(bad) up most.

Only columns with a positive contribution (towards a bad credit, hence rejection) are named;
an applicant with fewer than K such columns gets empty cells. Each reason reads like
`status: no checking account` or `duration: 48 months`, with the code table's words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_mlops.errors import InputError
from credit_mlops.explain.attribution import Attribution
from credit_mlops.explain.codetable import describe, english

DEFAULT_REASONS = 4


def check_count(k: int) -> int:
    """1..the number of the data's columns: a reason is a column, so more cannot be named."""
    from credit_mlops.data.schema import FEATURES

    if k < 1:
        raise InputError(f"--explain {k}: the number of reasons must be at least 1 (default 4)")
    if k > len(FEATURES):
        raise InputError(
            f"--explain {k}: the number of reasons must be 1..{len(FEATURES)} (a reason is "
            "one of the data's columns; default 4)"
        )
    return k


def explain_count(explain: bool, k: int | None) -> int | None:
    """`--explain [K]` on the command line: None without --explain, else K (default 4)."""
    if not explain:
        if k is not None:
            raise InputError(f"unexpected argument {k}: the number of reasons goes after --explain")
        return None
    return check_count(DEFAULT_REASONS if k is None else k)


def reason_columns(k: int) -> list[str]:
    return [f"reason_{i}" for i in range(1, k + 1)] + [f"reason_{i}_value" for i in range(1, k + 1)]


def reasons(attribution: Attribution, X: pd.DataFrame, k: int = DEFAULT_REASONS) -> pd.DataFrame:
    """reason_1..k (readable) and reason_1_value..k (the contribution, in the attribution's
    space) for each row of X, in X's order."""
    check_count(k)
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
                labels[key] = describe(column, shown) if column in raw else english(column)
            names.append(labels[key])
        out[f"reason_{rank + 1}"] = names
        out[f"reason_{rank + 1}_value"] = np.where(top[:, rank] > 0, top[:, rank], np.nan)
    frame = pd.DataFrame(out, index=X.index)
    for name in reason_columns(k):
        if name not in frame.columns:  # fewer columns than reasons asked for
            frame[name] = np.nan if name.endswith("_value") else None
    return frame[reason_columns(k)]
