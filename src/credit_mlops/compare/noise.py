"""The within-noise note of a comparison: paired when the top two runs share their splits.

Runs cross-validated on the same splits (same rows, folds, repeats and seed) logged each
fold's test metric as its history; they are compared fold by fold with the corrected
resampled t-test (`compare/paired.py`). Otherwise the std rule of `compare/rows.py` stays,
and the note says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from credit_mlops.compare.paired import Contender, history_key, paired_note, same_splits
from credit_mlops.compare.rows import Row, noise_note
from credit_mlops.modeling.metric_names import lower_is_better
from credit_mlops.tracking.records import RunRecord
from credit_mlops.tracking.store import TrackingStore

DIFFERENT_SPLITS = (
    " (std rule: the two runs were not cross-validated on the same splits - rows, folds, "
    "repeats and seed - so they cannot be paired fold by fold)"
)
NO_HISTORY = " (std rule: same splits, but a run logged no per-fold history)"


def _top_two(rows: Sequence[Row], primary: str) -> tuple[Row, Row] | None:
    """The best two rows by `primary`, ranked as the std rule ranks them."""

    def value(row: Row) -> float | None:
        v = row.get(primary)
        return float(v) if isinstance(v, (int, float)) else None

    scored = [(v, r) for r in rows if (v := value(r)) is not None]
    if len(scored) < 2:
        return None
    scored.sort(key=lambda pair: pair[0], reverse=not lower_is_better(primary))
    return scored[0][1], scored[1][1]


def comparison_note(
    store: TrackingStore, rows: Sequence[Row], runs: Mapping[str, RunRecord], primary: str
) -> str | None:
    """The paired sentence for the top two runs when they can be paired, else the std rule."""
    top = _top_two(rows, primary)
    if top is None:
        return None
    a, b = (runs.get(str(r.get("run_id"))) for r in top)
    if a is None or b is None:
        return noise_note(rows, primary)
    if same_splits(a.params, b.params):
        key = history_key(primary)
        note = paired_note(
            Contender(str(top[0]["model"]), a.params, store.metric_history(a.run_id, key)),
            Contender(str(top[1]["model"]), b.params, store.metric_history(b.run_id, key)),
            primary,
            higher_is_better=not lower_is_better(primary),
        )
        if note:
            return note
        std = noise_note(rows, primary)
        return std + NO_HISTORY if std else None
    std = noise_note(rows, primary)
    return std + DIFFERENT_SPLITS if std else None
