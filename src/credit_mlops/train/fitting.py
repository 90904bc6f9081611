"""`credit train`'s fitting stages: the stage clock, cross-validation started in the
background, and the final fit once the folds are back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings
from credit_mlops.train.spec import TrainingPart

if TYPE_CHECKING:
    from credit_mlops.modeling.build import PipelineConfig
    from credit_mlops.modeling.cv import CVResult, FitResult, Progress
    from credit_mlops.train.cv_plan import CVJob

Stage = Callable[[str, int], None]  # (stage name, number of steps) when a stage starts


class Clock:
    """Seconds per stage of the main thread, summed when a stage comes back; the stages add
    up to the time in `train()`. Notes (`cv_overlap`: CV time that ran beside the import and
    store stages; `cv_estimate`: the planned CPU seconds of the folds) are not stages."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._last
        self._last = now

    def split(self, stage: str, part: str, seconds: float) -> None:
        """Move `seconds` of `stage` to its own stage `part` (registering out of logging)."""
        if stage in self.timings:
            seconds = min(seconds, self.timings[stage])
            self.timings[stage] -= seconds
            self.timings[part] = seconds

    def note(self, name: str, seconds: float) -> None:
        self.timings[name] = seconds


@dataclass(frozen=True)
class Fitted:
    cv: dict[str, CVResult]
    fits: dict[str, FitResult]


def start_cv(
    settings: Settings,
    keys: list[str],
    pconfig: PipelineConfig,
    part: TrainingPart,
    on_stage: Stage | None,
    progress: Progress | None,
    overlap: bool,
    clock: Clock,
) -> CVJob | None:
    """Cross-validation started on a background thread (None when --no-evaluate)."""
    from credit_mlops.modeling.cv import cross_validate
    from credit_mlops.train.cv_plan import CVJob, plan

    cfg = settings.train
    if not cfg.evaluate:
        return None
    tasks = cfg.cv_folds * cfg.cv_repeats
    how = plan(keys, len(part.y), tasks, cfg.n_jobs, overlap)
    clock.note("cv_estimate", how.estimate)
    if on_stage:
        on_stage("cross-validation", len(keys) * tasks)

    def run(step: Progress) -> dict[str, CVResult]:
        return cross_validate(
            keys,
            pconfig,
            part.X,
            part.y,
            folds=cfg.cv_folds,
            repeats=cfg.cv_repeats,
            n_jobs=how.n_jobs,
            progress=step,
            pool=how.pool,
        )

    return CVJob(run, progress, how)


def fit(
    settings: Settings,
    keys: list[str],
    pconfig: PipelineConfig,
    part: TrainingPart,
    clock: Clock,
    job: CVJob | None,
    on_stage: Stage | None,
    progress: Progress | None,
) -> Fitted:
    from credit_mlops.modeling.cv import fit_final

    cv: dict[str, CVResult] = {}
    if job is not None:
        cv = job.result()
        clock.lap("cv")  # the wait: the CV time the main thread's own work did not cover
        clock.note("cv_overlap", max(0.0, job.seconds - clock.timings["cv"]))
    # A small job's final fits stay in this process too (a pool would cost more than them).
    small = job is not None and job.plan is not None and job.plan.n_jobs == 1
    if small and job is not None and job.plan is not None and job.plan.pool:
        from credit_mlops.processes.pools import end_workers

        end_workers()  # its one worker is idle now: ended here, the exit does not wait for it
    n_jobs = 1 if small else settings.train.n_jobs
    if on_stage:
        on_stage("final fit", len(keys))
    thresholds = {key: result.threshold for key, result in cv.items()}
    fits = fit_final(
        keys,
        pconfig,
        part.X,
        part.y,
        n_jobs=n_jobs,
        progress=progress,
        thresholds=thresholds,
    )
    clock.lap("fit")
    return Fitted(cv, fits)
