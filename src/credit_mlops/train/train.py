"""`credit train`: prepare (data, holdout, pipeline config) -> fit (CV, final fit) -> log.

Returns a `TrainReport` the CLI renders. A tracking failure after training keeps every
fitted model in the outbox and raises `TrainingNotLoggedError` carrying the report.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings
from credit_mlops.errors import CreditError, TrackingError
from credit_mlops.modeling.catalog import DISPLAY_NAMES
from credit_mlops.names import RUN_ID
from credit_mlops.train import inputs as train_inputs
from credit_mlops.train import limits
from credit_mlops.train.cv_plan import worth_warming
from credit_mlops.train.fitting import Clock, Fitted, fit, start_cv
from credit_mlops.train.inputs import TrainInputs
from credit_mlops.train.spec import TrainingPart
from credit_mlops.train.tuned import apply_params_from

if TYPE_CHECKING:
    from credit_mlops.modeling.build import PipelineConfig
    from credit_mlops.modeling.cv import Progress
    from credit_mlops.tracking.records import RunSpec
    from credit_mlops.tracking.store import TrackingStore
    from credit_mlops.train.cv_plan import CVJob

Stage = Callable[[str, int], None]  # (stage name, number of steps) when a stage starts

__all__ = ["TrainInputs", "TrainReport", "TrainingNotLoggedError", "train"]


@dataclass(frozen=True)
class ModelResult:
    key: str
    display_name: str
    run_name: str
    metrics: dict[str, float]
    fit_seconds: float
    run_id: str | None = None
    registered_name: str | None = None
    registered_version: str | None = None
    run_url: str | None = None
    experiment_url: str | None = None
    outbox: str | None = None


@dataclass(frozen=True)
class TrainReport:
    experiment: str | None
    tracking_uri: str | None
    model_version: str
    data_source: str
    n_train: int
    n_holdout: int
    results: tuple[ModelResult, ...]
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None  # a tracking failure after training; the outbox kept the runs
    notes: tuple[str, ...] = ()  # e.g. svm left out above train.svm_max_rows


class TrainingNotLoggedError(CreditError):
    """Training finished but tracking failed; the runs are in the outbox.

    `cause` is the tracking error (its exit code is the command's); `report` what was done.
    """

    def __init__(self, cause: TrackingError, report: TrainReport) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.report = report


def train(
    settings: Settings,
    inputs: TrainInputs | None = None,
    *,
    on_stage: Stage | None = None,
    progress: Progress | None = None,
    store: TrackingStore | None = None,
) -> TrainReport:
    """Train the settings' models; log them to `store` (default: the settings' store)."""
    settings, inputs = apply_params_from(settings, inputs or TrainInputs())
    keys = list(settings.train.models)
    trust = settings.train.trust_preprocessor_code
    train_inputs.check(inputs, len(keys), trust_preprocessor=trust)
    if settings.tracking.enabled and store is None:
        from credit_mlops.tracking.open import target

        target(settings, create=False)  # an unusable tracking URI is refused before any work
    clock = Clock()
    overlap = settings.tracking.enabled and store is None
    job: CVJob | None = None
    warm = worth_warming(keys, settings.train.n_jobs, overlap and settings.train.evaluate)
    if warm:  # a small job's one worker imports scikit-learn while this process does too
        from credit_mlops.processes.pools import warm_up

        warm_up()
    try:
        importlib.import_module("credit_mlops.modeling.cv")  # the heavy imports, timed apart
        clock.lap("import")
        part, pconfig = _prepare(settings, inputs, clock)
        keys, notes = limits.apply_svm_limit(settings.train, keys, len(part.y), inputs.model_params)
        notes += limits.forest_notes(settings, keys, len(part.y))
        # Inputs are all checked by now: the folds start, and the store is opened (MLflow
        # imported) while they run; only a valid request opens (or creates) the store.
        job = start_cv(settings, keys, pconfig, part, on_stage, progress, overlap, clock)
        store = _open_store(settings, store, clock)
        fitted = fit(settings, keys, pconfig, part, clock, job, on_stage, progress)
    except BaseException as exc:
        _stop_workers(job, warm)
        if inputs.preprocessor and isinstance(exc, Exception) and not isinstance(exc, CreditError):
            raise train_inputs.failed(inputs.preprocessor, exc, "training with it") from exc
        raise
    stamp = datetime.now(UTC)
    if on_stage:
        on_stage("logging", len(keys) if store else 0)
    logged = _log_all(settings, inputs, keys, part, fitted, stamp, store, progress)
    results, failure, registering = logged
    clock.lap("logging")
    clock.split("logging", "registering", registering)
    report = _report(settings, part, results, clock.timings, store is not None, failure)
    report = replace(report, notes=tuple(notes))
    if failure is not None:
        raise TrainingNotLoggedError(failure, report)
    return report


def _stop_workers(job: CVJob | None, warm: bool) -> None:
    """A failed or interrupted command ends its folds and the worker it started early."""
    if job is not None:
        job.cancel()
    elif warm:
        from credit_mlops.processes.pools import end_workers

        end_workers()


def _open_store(
    settings: Settings, store: TrackingStore | None, clock: Clock
) -> TrackingStore | None:
    """The checked store (None without tracking), and what logging imports, loaded now."""
    if not settings.tracking.enabled:
        return None
    if store is None:
        from credit_mlops.tracking.open import open_tracker

        store = open_tracker(settings)
        clock.lap("import")
    store.check()
    clock.lap("store")
    from credit_mlops.tracking.runs import preload

    preload()
    clock.lap("import")
    return store


def _prepare(
    settings: Settings, inputs: TrainInputs, clock: Clock
) -> tuple[TrainingPart, PipelineConfig]:
    from credit_mlops.data.split import split_holdout
    from credit_mlops.modeling.build import PipelineConfig, target_bad
    from credit_mlops.modeling.forest_scale import with_scaled_forest
    from credit_mlops.train.spec import check_ensemble, quality, resampling

    cfg = settings.train
    dataset = train_inputs.load(settings, inputs)
    clock.lap("data")
    holdout = split_holdout(
        dataset.y, test_size=cfg.test_size, seed=cfg.seed, setting=settings.named("train.test_size")
    )
    rows = list(holdout.train_rows)
    part = TrainingPart(
        dataset=dataset,
        holdout=holdout,
        X=dataset.X.iloc[rows].reset_index(drop=True),
        y=target_bad(dataset.y.iloc[rows]),
        preprocessor=inputs.preprocessor,
    )
    pconfig = PipelineConfig(
        seed=cfg.seed,
        resampling=resampling(settings),
        preprocessor=train_inputs.preprocessor(
            inputs.preprocessor, trust_code=cfg.trust_preprocessor_code
        ),
        # above train.forest_scale_rows the forest (and the ensemble's) draws bounded samples
        model_params=with_scaled_forest(
            inputs.model_params or {}, len(part.y), cfg.forest_scale_rows
        ),
        scorecard=settings.scorecard.params(),
        quality=quality(settings),
        class_weight=cfg.class_weight,
        inner_search=cfg.inner_search,
        inner_search_max_rows=cfg.inner_search_max_rows,
        svm_approx=cfg.svm_approx_components if cfg.svm_approx else None,
        description=dataset.description,
    )
    if inputs.preprocessor is not None:
        train_inputs.check_output(inputs.preprocessor, pconfig.preprocessor, part.X)
    settings.scorecard.check_characteristics(list(part.X.columns))
    check_ensemble(cfg.models, pconfig)
    minority = int(min(part.y.sum(), len(part.y) - part.y.sum()))  # y: 1 for a bad credit
    limits.check_oversampling(settings, cfg.models, len(part.X), minority)
    if settings.tracking.enabled:
        limits.check_free_space(settings, int(dataset.X.memory_usage(index=False).sum()))
    clock.lap("data")
    return part, pconfig


def _log_all(
    settings: Settings,
    inputs: TrainInputs,
    keys: list[str],
    part: TrainingPart,
    fitted: Fitted,
    stamp: datetime,
    store: TrackingStore | None,
    progress: Progress | None,
) -> tuple[list[ModelResult], TrackingError | None, float]:
    """Log each model; after the first tracking failure, the rest go to the outbox too.
    Also returns the seconds spent registering (part of logging, reported apart). A Ctrl-C
    waits until the run being logged is whole, then stops: the models not logged yet are
    kept in the outbox, and `TrainingInterrupted` says what was kept (`train.interrupted`)."""
    from credit_mlops.processes.signals import interrupts_held
    from credit_mlops.train.interrupted import stop_logging
    from credit_mlops.train.spec import run_name, run_spec

    def spec_of(key: str) -> Callable[[], RunSpec]:
        name = run_name(inputs.run_name, key, len(keys), stamp)
        cv, pipeline = fitted.cv.get(key), fitted.fits[key].pipeline
        return lambda: run_spec(settings, key, name, part, cv, pipeline, stamp, inputs.reg_name)

    results: list[ModelResult] = []
    failure: TrackingError | None = None
    registering = 0.0
    try:
        for key in keys:
            base = ModelResult(
                key=key,
                display_name=DISPLAY_NAMES[key],
                run_name=run_name(inputs.run_name, key, len(keys), stamp),
                metrics=fitted.cv[key].metrics if key in fitted.cv else {},
                fit_seconds=fitted.fits[key].seconds,
            )
            if store is None:
                results.append(base)
                continue
            with interrupts_held():  # whole; a second Ctrl-C ends it KILLED at once
                result, error, seconds = _log_one(settings, store, spec_of(key)(), base, failure)
                results.append(result)
            failure, registering = failure or error, registering + seconds
            if progress:
                progress(key, "log")
    except KeyboardInterrupt:
        if store is None:
            raise
        logged = [(r.run_name, r.run_id) for r in results if r.run_id]
        kept = [f"{r.run_name} in {r.outbox}" for r in results if r.outbox]
        rest = [spec_of(k) for k in keys[len(results) :]]  # not logged, or torn
        raise stop_logging(settings, logged, kept, rest) from None
    return results, failure, registering


def _log_one(
    settings: Settings,
    store: TrackingStore,
    spec: RunSpec,
    base: ModelResult,
    failure: TrackingError | None,
) -> tuple[ModelResult, TrackingError | None, float]:
    from credit_mlops.train.outbox import outbox_dir, write_entry

    partial = None
    if failure is None:
        try:
            tracked = store.log_training_run(spec)
        except TrackingError as exc:  # a run id the store gave, if it looks like one
            failure, partial = exc, exc.partial_run_id
            partial = partial if partial and RUN_ID.fullmatch(partial) else None
        else:
            return (
                replace(
                    base,
                    run_id=tracked.run_id,
                    registered_name=tracked.registered_name,
                    registered_version=tracked.registered_version,
                    run_url=tracked.run_url,
                    experiment_url=tracked.experiment_url,
                ),
                None,
                tracked.register_seconds,
            )
    entry = write_entry(
        outbox_dir(settings),
        spec,
        experiment=settings.tracking.experiment,
        store=store.shown_uri,
        reason=str(failure),
        partial_run_id=partial,
    )
    return replace(base, outbox=str(entry)), failure, 0.0


def _report(
    settings: Settings,
    part: TrainingPart,
    results: list[ModelResult],
    timings: dict[str, float],
    tracked: bool,
    failure: TrackingError | None,
) -> TrainReport:
    return TrainReport(
        experiment=settings.tracking.experiment if tracked else None,
        tracking_uri=settings.tracking_uri_shown if tracked else None,
        model_version=settings.model_version,
        data_source=part.dataset.source,
        n_train=len(part.holdout.train_rows),
        n_holdout=len(part.holdout.test_rows),
        results=tuple(results),
        timings=timings,
        error=str(failure) if failure else None,
    )
