"""`credit compare` ends the runs it reads that a `credit` process of this host left
RUNNING and is gone (killed with SIGKILL), by the one rule of `tracking.orphans`. Cheap: only
runs read as RUNNING whose process tag names this host and a pid that no longer exists are
looked at; the store is asked for nothing more unless one is found. A store that cannot be
written (read-only) is not changed: the runs are only named."""

from __future__ import annotations

from collections.abc import Iterable

from credit_mlops.errors import CreditError
from credit_mlops.tracking.orphans import end_runs, orphaned
from credit_mlops.tracking.records import RunRecord
from credit_mlops.tracking.store import TrackingStore


def end_gone(store: TrackingStore, runs: Iterable[RunRecord]) -> tuple[dict[str, str], str]:
    """(run id -> the status it was ended as, a note for stderr; empty when none)."""
    found = {r.run_id: r for r in runs if orphaned(r)}
    if not found:
        return {}, ""
    ids = ", ".join(found)
    try:
        ended = end_runs(store, found.values(), by="credit compare")
    except CreditError as exc:
        return {}, (
            f"{len(found)} run(s) left RUNNING by a credit process that is gone: {ids}; "
            f"not ended, the store could not be written ({exc})"
        )
    statuses = {e.run_id: e.status for e in ended}
    shown = ", ".join(f"{rid} as {status}" for rid, status in statuses.items())
    gone = "left RUNNING by a credit process that is gone"
    return statuses, f"ended {len(ended)} run(s) {gone}: {shown}"
