"""Promotion with every gate, for the CLI and for code that promotes through the library.

The parity gate (`promote.max_parity_gap`, measured on the candidate's holdout when the target
stage is Production) runs first, then the metric gate and the move (lifecycle/promote.py).
It lives here, above lifecycle, because measuring parity needs the fairness metrics.
"""

from __future__ import annotations

from credit_mlops.config.settings import Settings
from credit_mlops.fairness.assess import parity_gate
from credit_mlops.lifecycle.promote import promote as move
from credit_mlops.lifecycle.promotion import Promotion
from credit_mlops.tracking.store import TrackingStore


def promote(
    settings: Settings,
    store: TrackingStore,
    name: str,
    version: str,
    stage: str,
    *,
    force: bool = False,
    keep_existing: bool = False,
) -> Promotion:
    """Move `name` `version` to `stage` once the parity and metric gates pass (or `force`)."""
    parity_gate(settings, store, name, version, stage, force=force)
    return move(
        store,
        name,
        version,
        stage,
        metric=settings.tracking.primary_metric,
        force=force,
        keep_existing=keep_existing,
    )
