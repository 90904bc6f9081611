"""Reason columns for a batch of applicants (computed in the scoring runtime,
`credit_runtime.explain.reasons`), worded with the code table; and the count `--explain K`
asks for, checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from credit_mlops.errors import InputError
from credit_runtime.explain import reasons as runtime
from credit_runtime.explain.reasons import DEFAULT_REASONS, reason_columns

if TYPE_CHECKING:
    import pandas as pd

    from credit_runtime.explain.attribution import Attribution

__all__ = ["DEFAULT_REASONS", "check_count", "explain_count", "reason_columns", "reasons"]


def at_least_one(k: int) -> int:
    if k < 1:
        raise InputError(f"--explain {k}: the number of reasons must be at least 1 (default 4)")
    return k


class DefaultCount(int):
    """The number of reasons when the user named none: capped to the data's columns, where
    a number the user typed is refused above them."""


def check_count(k: int, columns: int | None = None) -> int:
    """1..the number of the data's columns (`columns`, else the default data set's): a
    reason is a column, so more cannot be named (the default is capped to them)."""
    from credit_mlops.data.schema import FEATURES

    most = len(FEATURES) if columns is None else columns
    if isinstance(k, DefaultCount):
        return min(int(k), most)
    if at_least_one(k) > most:
        raise InputError(
            f"--explain {k}: the number of reasons must be 1..{most} (a reason is "
            "one of the data's columns; default 4)"
        )
    return k


def explain_count(explain: bool, k: int | None) -> int | None:
    """`--explain [K]` on the command line: None without --explain, else K (default 4)."""
    if not explain:
        if k is not None:
            raise InputError(f"unexpected argument {k}: the number of reasons goes after --explain")
        return None
    # the default is bounded where the model's columns are known (`reason_maker`)
    return DefaultCount(DEFAULT_REASONS) if k is None else check_count(k)


def reasons(
    attribution: Attribution,
    X: pd.DataFrame,
    k: int = DEFAULT_REASONS,
    label: Callable[[str, object], str] | None = None,
) -> pd.DataFrame:
    """reason_1..k and reason_1_value..k, worded by `label` (a data description's
    `describe`), else with the default code table (`explain.codetable`)."""
    from credit_mlops.explain.codetable import describe

    # only K >= 1 here: the upper bound is checked where the data's columns are known
    # (`reason_maker`), and more reasons than the attribution's columns come out empty
    return runtime.reasons(attribution, X, at_least_one(k), label=label or describe)
