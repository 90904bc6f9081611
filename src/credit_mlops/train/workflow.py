"""`credit train`: prepare (data, holdout, pipeline config) -> fit (CV, final fit) -> log.

Returns a `TrainReport` the CLI renders. A tracking failure after training keeps every
fitted model in the outbox and raises `TrainingNotLoggedError` carrying the report.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings
from credit_mlops.errors import CreditError, TrackingError
from credit_mlops.modeling.catalog import DISPLAY_NAMES
from credit_mlops.train import inputs as train_inputs
from credit_mlops.train import svm_limit
from credit_mlops.train.inputs import TrainInputs
from credit_mlops.train.spec import TrainingPart

if TYPE_CHECKING:
    from credit_mlops.modeling.cv import CVResult, FitResult
    from credit_mlops.modeling.pipeline import PipelineConfig
    from credit_mlops.tracking.records import RunSpec
    from credit_mlops.tracking.store import TrackingStore

Progress = Callable[[str, str], None]
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


class _Clock:
    """Seconds per stage, summed when a stage comes back."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._last
        self._last = now


@dataclass(frozen=True)
class _Fitted:
    cv: dict[str, CVResult]
    fits: dict[str, FitResult]


def train(
    settings: Settings,
    inputs: TrainInputs | None = None,
    *,
    on_stage: Stage | None = None,
    progress: Progress | None = None,
    store: TrackingStore | None = None,
) -> TrainReport:
    """Train the settings' models; log them to `store` (default: the settings' store)."""
    inputs = inputs or TrainInputs()
    keys = list(settings.train.models)
    train_inputs.check(inputs, len(keys))
    if settings.tracking.enabled and store is None:
        from credit_mlops.tracking.open import target

        target(settings, create=False)  # an unusable tracking URI is refused before any work
    clock = _Clock()
    importlib.import_module("credit_mlops.modeling.cv")  # the heavy imports, timed apart
    clock.lap("import")
    part, pconfig = _prepare(settings, inputs, clock)
    keys, notes = svm_limit.apply(settings.train, keys, len(part.y), inputs.model_params)
    # Inputs are all checked by now: only a valid request opens (or creates) the store.
    if settings.tracking.enabled and store is None:
        from credit_mlops.tracking.open import open_tracker

        store = open_tracker(settings)
        clock.lap("import")
    if settings.tracking.enabled and store is not None:
        store.check()
        clock.lap("store")
    else:
        store = None
    fitted = _fit(settings, keys, pconfig, part, clock, on_stage, progress)
    stamp = datetime.now(UTC)
    if on_stage:
        on_stage("logging", len(keys) if store else 0)
    results, failure = _log_all(settings, inputs, keys, part, fitted, stamp, store, progress)
    clock.lap("logging")
    report = _report(settings, part, results, clock.timings, store is not None, failure)
    report = replace(report, notes=tuple(notes))
    if failure is not None:
        raise TrainingNotLoggedError(failure, report)
    return report


def _prepare(
    settings: Settings, inputs: TrainInputs, clock: _Clock
) -> tuple[TrainingPart, PipelineConfig]:
    from credit_mlops.data.split import split_holdout
    from credit_mlops.modeling.pipeline import PipelineConfig, target_bad
    from credit_mlops.train.limits import check_oversampling
    from credit_mlops.train.spec import check_ensemble, quality, resampling

    cfg = settings.train
    dataset = train_inputs.load(settings, inputs)
    clock.lap("data")
    holdout = split_holdout(dataset.y, test_size=cfg.test_size, seed=cfg.seed)
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
        preprocessor=train_inputs.preprocessor(inputs.preprocessor),
        model_params=inputs.model_params or {},
        scorecard=settings.scorecard.params(),
        quality=quality(settings),
        class_weight=cfg.class_weight,
        svm_approx=cfg.svm_approx_components if cfg.svm_approx else None,
    )
    settings.scorecard.check_characteristics(list(part.X.columns))
    check_ensemble(cfg.models, pconfig)
    check_oversampling(settings, cfg.models, len(part.X))
    clock.lap("data")
    return part, pconfig


def _fit(
    settings: Settings,
    keys: list[str],
    pconfig: PipelineConfig,
    part: TrainingPart,
    clock: _Clock,
    on_stage: Stage | None,
    progress: Progress | None,
) -> _Fitted:
    from credit_mlops.modeling.cv import cross_validate, fit_final

    cfg = settings.train
    cv: dict[str, CVResult] = {}
    if cfg.evaluate:
        if on_stage:
            on_stage("cross-validation", len(keys) * cfg.cv_folds * cfg.cv_repeats)
        cv = cross_validate(
            keys,
            pconfig,
            part.X,
            part.y,
            folds=cfg.cv_folds,
            repeats=cfg.cv_repeats,
            n_jobs=cfg.n_jobs,
            progress=progress,
        )
        clock.lap("cv")
    if on_stage:
        on_stage("final fit", len(keys))
    thresholds = {key: result.threshold for key, result in cv.items()}
    fits = fit_final(
        keys, pconfig, part.X, part.y, n_jobs=cfg.n_jobs, progress=progress, thresholds=thresholds
    )
    clock.lap("fit")
    return _Fitted(cv, fits)


def _log_all(
    settings: Settings,
    inputs: TrainInputs,
    keys: list[str],
    part: TrainingPart,
    fitted: _Fitted,
    stamp: datetime,
    store: TrackingStore | None,
    progress: Progress | None,
) -> tuple[list[ModelResult], TrackingError | None]:
    """Log each model; after the first tracking failure, the rest go to the outbox too."""
    from credit_mlops.train.spec import run_name, run_spec

    results: list[ModelResult] = []
    failure: TrackingError | None = None
    for key in keys:
        name = run_name(inputs.run_name, key, len(keys), stamp)
        base = ModelResult(
            key=key,
            display_name=DISPLAY_NAMES[key],
            run_name=name,
            metrics=fitted.cv[key].metrics if key in fitted.cv else {},
            fit_seconds=fitted.fits[key].seconds,
        )
        if store is None:
            results.append(base)
            continue
        pipeline = fitted.fits[key].pipeline
        spec = run_spec(
            settings, key, name, part, fitted.cv.get(key), pipeline, stamp, inputs.reg_name
        )
        result, error = _log_one(settings, store, spec, base, failure)
        failure = failure or error
        results.append(result)
        if progress:
            progress(key, "log")
    return results, failure


def _log_one(
    settings: Settings,
    store: TrackingStore,
    spec: RunSpec,
    base: ModelResult,
    failure: TrackingError | None,
) -> tuple[ModelResult, TrackingError | None]:
    from credit_mlops.train.outbox import outbox_dir, write_entry

    partial = None
    if failure is None:
        try:
            tracked = store.log_training_run(spec)
        except TrackingError as exc:
            failure, partial = exc, exc.partial_run_id
        else:
            return replace(
                base,
                run_id=tracked.run_id,
                registered_name=tracked.registered_name,
                registered_version=tracked.registered_version,
                run_url=tracked.run_url,
                experiment_url=tracked.experiment_url,
            ), None
    entry = write_entry(
        outbox_dir(settings),
        spec,
        experiment=settings.tracking.experiment,
        reason=str(failure),
        partial_run_id=partial,
    )
    return replace(base, outbox=str(entry)), failure


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
