"""The random forest beyond `train.forest_scale_rows` training rows: a bounded bootstrap
sample per tree and a minimum leaf that grows with the rows.

At the catalogue's defaults every tree draws a bootstrap sample as large as the training
rows and grows down to leaves of two rows: the fit's time grows a little faster than the
rows and the fitted forest's size with them (about 1.3 GB per 300-tree forest at 200,000
rows, so about 6.7 GB at a million: one fold's model alone passes the memory budget).
Above the threshold each tree draws `limit / rows` of the rows it is fitted on (so at most
`limit` rows; a CV fold, fitted on (k-1)/k of them, draws that share of its own) and a
leaf holds at least 2 * sqrt(rows / limit) rows. A tree's cost and size are then bounded
whatever the rows; only drawing the samples and scoring the folds' rows stay linear.

At or below the threshold nothing changes: the real data's 700 training rows give the same
figures bit for bit. Measured on synthetic rows (`credit data synth`, class weights,
ROC AUC on 50,000 held-out rows; a loaded machine, so the CPU figures are indicative):

    training rows  each tree draws, min leaf   ROC AUC  CPU per tree  MiB per 300 trees
    200,000        every row (defaults), 2     0.798    0.30 s        1,336
    200,000        50,000, 2                   0.801    0.12 s          512
    200,000        50,000, 8                   0.807    0.11 s          165
    800,000        every row (defaults), 2     0.793    1.66 s        5,274
    800,000        50,000, 2                   0.791    0.19 s          720
    800,000        50,000, 8 (this rule)       0.804    0.14 s          341
    800,000        50,000, 32                  0.802    0.16 s          225

(20 trees at 200,000 rows, 10 at 800,000; the rule gives a leaf of 4 at 200,000 rows).
`benchmarks/forest_growth.py` prints the growth of one CV fold task.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

FOREST_KEY = "random_forest"
DEFAULT_SCALE_ROWS = 50_000


def scaled_params(train_rows: int, limit: int) -> dict[str, float | int]:
    """The forest parameters for `train_rows` training rows ({} at or below `limit`; a limit
    of 0 never scales)."""
    if not limit or train_rows <= limit:
        return {}
    return {
        "max_samples": limit / train_rows,
        "min_samples_leaf": max(2, round(2 * math.sqrt(train_rows / limit))),
    }


def with_scaled_forest(
    params: Mapping[str, Mapping[str, object]], train_rows: int, limit: int
) -> dict[str, dict[str, object]]:
    """`params` (model key -> parameters) with the forest's scaled ones under the given ones
    (tuned parameters from --params-from win)."""
    out = {key: dict(values) for key, values in params.items()}
    scaled = scaled_params(train_rows, limit)
    if scaled:
        out[FOREST_KEY] = {**scaled, **out.get(FOREST_KEY, {})}
    return out


def note(train_rows: int, limit: int) -> str | None:
    """The line `credit train` shows when the forest is scaled (None when it is not)."""
    scaled = scaled_params(train_rows, limit)
    if not scaled:
        return None
    return (
        f"random_forest: {train_rows:,} training rows are over train.forest_scale_rows = "
        f"{limit:,}, so each tree draws at most {limit:,} of them and a leaf holds at least "
        f"{scaled['min_samples_leaf']} (logged as model__max_samples, model__min_samples_leaf)"
    )
