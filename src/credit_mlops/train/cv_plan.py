"""How `credit train` runs its folds, and the job that runs them in the background: the
folds run while the main thread imports MLflow, opens the store and loads what logging
needs; `CVJob.result()` then waits for them (the thread itself: `processes.jobs`).

How the folds run is chosen by the compute they need (rows x folds x a per-model cost):
small jobs do not pay for a two-worker pool (each worker imports scikit-learn, ~1.5 s of CPU),
large ones use every core. The results are the same bit for bit however they run: each fold
is one single-threaded task with its own seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from credit_mlops.modeling.catalog import KINDS
from credit_mlops.processes.jobs import Job, Progress

if TYPE_CHECKING:
    from credit_mlops.modeling.cv import CVResult

# CPU seconds of one CV fold per 1,000 training rows come from the catalog (`fold_seconds`):
# logistic regression, decision tree and random forest measured on the 700-row training part
# of the real data (on a loaded machine, so rough); scorecard, xgboost, svm and the ensemble
# not measured, set high enough that they always take the pool (their folds are seconds each).
# Only whether a job falls under SMALL_CV_SECONDS depends on these.
# Below this much fold compute one worker process is enough: it computes while the main
# process imports MLflow (~3 s of CPU), and a second worker would only add its own imports.
SMALL_CV_SECONDS = 4.0
CHEAP_FOLD_SECONDS = 0.6  # logistic regression, decision tree


@dataclass(frozen=True)
class CVPlan:
    n_jobs: int
    pool: bool  # worker processes even for one job (to compute beside the main thread)
    estimate: float  # estimated CPU seconds of all folds

    @property
    def label(self) -> str:
        if not self.pool and self.n_jobs == 1:
            return "in process"
        return "one worker" if self.n_jobs == 1 else "pool"


def plan(keys: Sequence[str], rows: int, tasks_per_key: int, n_jobs: int, overlap: bool) -> CVPlan:
    """How to run the folds: `n_jobs` as asked unless the compute is small; then one worker
    beside the main thread when it has work to overlap (`overlap`), else in this process."""
    per_fold = sum(KINDS[k].fold_seconds for k in keys) * rows / 1000
    estimate = per_fold * tasks_per_key
    if n_jobs == 1:
        return CVPlan(1, False, estimate)
    if estimate < SMALL_CV_SECONDS:
        return CVPlan(1, overlap, estimate)
    return CVPlan(n_jobs, False, estimate)


def worth_warming(keys: Sequence[str], n_jobs: int, overlap: bool) -> bool:
    """Start the one worker before the data is read? When the job is likely small: cheap
    models only (rows are not known yet; a large file's pool replaces the idle worker)."""
    cheap = all(KINDS[k].fold_seconds <= CHEAP_FOLD_SECONDS for k in keys)
    return overlap and n_jobs != 1 and cheap


class CVJob(Job["dict[str, CVResult]"]):
    """The folds of one `credit train` on a daemon thread, with the plan they run by."""

    def __init__(
        self,
        run: Callable[[Progress], dict[str, CVResult]],
        progress: Progress | None,
        how: CVPlan | None = None,
    ):
        self.plan = how
        super().__init__(run, progress, pool=how is None or how.pool or how.n_jobs != 1)
