"""Reason columns for a batch of applicants (computed in the scoring runtime,
`credit_runtime.explain.reasons`), worded with the code table; and the count `--explain K`
asks for, checked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from credit_mlops.errors import InputError
from credit_runtime.explain import reasons as runtime
from credit_runtime.explain.reasons import DEFAULT_REASONS, reason_columns

if TYPE_CHECKING:
    import pandas as pd

    from credit_runtime.explain.attribution import Attribution

__all__ = ["DEFAULT_REASONS", "check_count", "explain_count", "reason_columns", "reasons"]


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


def reasons(attribution: Attribution, X: pd.DataFrame, k: int = DEFAULT_REASONS) -> pd.DataFrame:
    """reason_1..k and reason_1_value..k, worded with the code table (`explain.codetable`)."""
    from credit_mlops.explain.codetable import describe

    return runtime.reasons(attribution, X, check_count(k), label=describe)
