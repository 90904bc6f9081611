"""Runs left RUNNING by a `credit` process that is gone, ended by the next one to look.

A process killed with SIGKILL, or stopped by a full disk before it could write its run's
end, leaves the run RUNNING for ever. Every run a `credit` process starts carries the
process as `<host>-<pid>` (`PROCESS_TAG`); whoever comes next (`credit sync`, the next
`credit tune` worker on the study) ends the runs whose process is gone, with one rule: a
training run as FAILED (its outbox entry, if any, is complete and syncs), a tune parent as
KILLED (its trials are logged; the worker's own end was taken from it). A process of
another host, or one still alive, is left alone: nothing is ended on a doubt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from credit_mlops.processes.identity import gone
from credit_mlops.tracking.records import RunRecord
from credit_mlops.tracking.tags import ENDED_BY_TAG, KIND_TAG, PROCESS_TAG, TUNE_KIND, WORKER_TAG

if TYPE_CHECKING:  # the protocol names tune's records, whose module calls this one
    from credit_mlops.tracking.store import TrackingStore

__all__ = ["PROCESS_TAG", "Ended", "end_orphans", "process_of"]
# a tune worker's own end is KILLED when interrupted; one ended for it says the same
_STATUS = {TUNE_KIND: "KILLED"}


@dataclass(frozen=True)
class Ended:
    run_id: str
    run_name: str
    note: str  # who ended it, how and why (also the run's ENDED_BY_TAG)


def process_of(run: RunRecord) -> str | None:
    """The `credit` process that logged `run` (tune parents logged before the one tag
    carried it under their own)."""
    return run.tags.get(PROCESS_TAG) or run.tags.get(WORKER_TAG)


def end_orphans(
    store: TrackingStore, *, by: str, only: Callable[[RunRecord], bool] | None = None
) -> list[Ended]:
    """End the experiment's RUNNING runs (those `only` keeps) whose process is gone; each
    gets a tag saying who ended it and why."""
    ended = []
    for run in store.running_runs():
        process = process_of(run)
        if not process or (only is not None and not only(run)) or not gone(process):
            continue
        status = _STATUS.get(run.tags.get(KIND_TAG, ""), "FAILED")
        note = f"ended by {by} as {status}: the credit process {process} logging it was gone"
        store.set_run_tag(run.run_id, ENDED_BY_TAG, note)
        store.end_run(run.run_id, status)
        ended.append(Ended(run.run_id, run.run_name, note))
    return ended
