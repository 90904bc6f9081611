"""What `credit compare --sort` may name: a metric the runs have (or training logs).

An unknown name is refused with the list of metrics that exist, instead of a table that
claims an order it does not have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from credit_mlops.errors import InputError
from credit_mlops.modeling.metric_names import METRICS

# What `credit train` logs on every evaluated run.
TRAINED: frozenset[str] = frozenset(
    f"{m}_{part}_{stat}" for m in METRICS for part in ("test", "train") for stat in ("mean", "std")
) | {"decision_threshold", "expected_cost_cv", "expected_cost_cv_at_0_5"}


def check_sort_metric(
    sort: str | None,
    seen: Iterable[str],
    *,
    what: str,
    trained: bool = True,
    named: str = "--sort",
) -> None:
    """Refuse `sort` unless it is one of `seen` (the metrics present) or a trained metric;
    `named`: how the refusal names where the metric came from."""
    if sort is None:
        return
    known = set(seen) | (TRAINED if trained else set())
    if sort in known:
        return
    variant = re.compile(r".+_(test|train)_(mean|std)$")
    main = sorted(k for k in known if k.endswith("_test_mean") or not variant.fullmatch(k))
    rest = len(known) - len(main)
    listed = ", ".join(main) + (f" (and {rest} _std/_train_ variants)" if rest > 0 else "")
    raise InputError(f"{named} '{sort}' is not a metric of {what}; use one of: {listed}")
