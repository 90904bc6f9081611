"""Runs left RUNNING by a `credit` process that is gone, ended by the next one to look.

A process killed with SIGKILL, or stopped by a full disk before it could write its run's
end, leaves the run RUNNING for ever. Every run a `credit` process starts carries the
process as `<host>-<pid>` (`PROCESS_TAG`), a tune trial's child run too; whoever comes next
(`credit sync`, the next `credit tune` worker on the study, `credit compare` for the runs it
reads) ends the runs whose process is gone, with one rule: a training run as FAILED (its
outbox entry, if any, is complete and syncs), a tune parent and its trials as KILLED (its
trials are logged; the worker's own end was taken from it). Ending a run also ends its
RUNNING child runs (`mlflow.parentRunId`) as KILLED: trials logged before they carried the
process tag are reached through their parent. A process of another host, or one still
alive, is left alone: nothing is ended on a doubt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from credit_mlops.processes.identity import gone
from credit_mlops.tracking.records import RunRecord
from credit_mlops.tracking.tags import (
    ENDED_BY_TAG,
    KIND_TAG,
    PROCESS_TAG,
    TRIAL_KIND,
    TUNE_KIND,
    WORKER_TAG,
)

if TYPE_CHECKING:  # the protocol names tune's records, whose module calls this one
    from credit_mlops.tracking.store import TrackingStore

__all__ = ["PROCESS_TAG", "Ended", "end_orphans", "end_runs", "orphaned", "process_of"]
# a tune worker's own end is KILLED when interrupted; one ended for it says the same
_STATUS = {TUNE_KIND: "KILLED", TRIAL_KIND: "KILLED"}
PARENT_TAG = "mlflow.parentRunId"


@dataclass(frozen=True)
class Ended:
    run_id: str
    run_name: str
    note: str  # who ended it, how and why (also the run's ENDED_BY_TAG)
    status: str = "KILLED"  # what it was ended as


def process_of(run: RunRecord) -> str | None:
    """The `credit` process that logged `run` (tune parents logged before the one tag
    carried it under their own)."""
    return run.tags.get(PROCESS_TAG) or run.tags.get(WORKER_TAG)


def orphaned(run: RunRecord) -> bool:
    """RUNNING, and logged by a process of this host that is gone (cheap: no store call)."""
    process = process_of(run)
    return run.status == "RUNNING" and bool(process) and gone(process or "")


def end_orphans(
    store: TrackingStore, *, by: str, only: Callable[[RunRecord], bool] | None = None
) -> list[Ended]:
    """End the experiment's RUNNING runs (those `only` keeps) whose process is gone, and
    their RUNNING children; each gets a tag saying who ended it and why."""
    running = store.running_runs()
    chosen = [r for r in running if orphaned(r) and (only is None or only(r))]
    return end_runs(store, chosen, by=by, running=running)


def end_runs(
    store: TrackingStore,
    runs: Iterable[RunRecord],
    *,
    by: str,
    running: list[RunRecord] | None = None,
) -> list[Ended]:
    """End `runs` (orphans: see `orphaned`) and each one's RUNNING child runs, found among
    `running` (default: the store's RUNNING runs, asked only when a run is to be ended)."""
    ended: list[Ended] = []
    done: set[str] = set()
    for run in runs:
        if run.run_id in done:
            continue
        if running is None:
            running = store.running_runs()
        process = process_of(run) or "?"
        status = _STATUS.get(run.tags.get(KIND_TAG, ""), "FAILED")
        why = f"the credit process {process} logging it was gone"
        ended.append(_end(store, run, f"ended by {by} as {status}: {why}", status))
        done.add(run.run_id)
        for child in running:
            if child.tags.get(PARENT_TAG) == run.run_id and child.run_id not in done:
                note = f"ended by {by} as KILLED with its parent run {run.run_id}: {why}"
                ended.append(_end(store, child, note, "KILLED"))
                done.add(child.run_id)
    return ended


def _end(store: TrackingStore, run: RunRecord, note: str, status: str) -> Ended:
    store.set_run_tag(run.run_id, ENDED_BY_TAG, note)
    store.end_run(run.run_id, status)
    return Ended(run.run_id, run.run_name, note, status)
