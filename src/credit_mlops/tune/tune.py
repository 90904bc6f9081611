"""`credit tune`: check the request, open the study, run this worker's share of the trials
with one MLflow parent run (a child run per trial), log Optuna's figures, optionally train
the best parameters. The CLI renders what the callbacks and the report carry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit_mlops.config.settings import Settings
from credit_mlops.modeling.search_spaces import Param, describe
from credit_mlops.tracking.orphans import PROCESS_TAG
from credit_mlops.train.limits import check_tuned
from credit_mlops.tune.objective import OBJECTIVES
from credit_mlops.tune.space import check_key, check_variant, space_for
from credit_mlops.tune.workers import TrialReport, WorkerResult

if TYPE_CHECKING:
    from credit_mlops.train.train import TrainReport

METRIC_NAMES = {"roc_auc": "roc_auc_tune_mean", "cost": "expected_cost_tune_mean"}


@dataclass(frozen=True)
class TuneStart:
    """What is about to run, for the CLI's header and progress bar."""

    model_key: str
    study: str
    storage: str  # shown form, without a password
    objective: str
    direction: str
    n_trials: int
    already_finished: int
    n_rows: int
    folds: int
    space: dict[str, str]
    parent_run_id: str | None
    orphans_ended: tuple[str, ...] = ()  # parent runs of killed workers, ended KILLED


@dataclass(frozen=True)
class TuneReport:
    start: TuneStart
    worker: WorkerResult
    parent_run_id: str | None
    figures: tuple[str, ...]
    trained: TrainReport | None = None  # what --train trained


@dataclass(frozen=True)
class Callbacks:
    on_start: Callable[[TuneStart], None] | None = None
    on_trial: Callable[[TrialReport], None] | None = None
    should_stop: Callable[[], bool] = lambda: False
    on_wait: Callable[[str], None] | None = None  # what the worker waits for (a note)


def _training_part(settings: Settings) -> tuple[Any, Any, int, tuple[str, str]]:
    """The training part's features, bad-credit labels, row count, and the digests of the
    data and of its description (what training runs log as data_description_digest); the
    holdout is never read."""
    from credit_mlops.data.locate import load_configured
    from credit_mlops.data.split import split_holdout
    from credit_mlops.modeling.build import target_bad

    dataset = load_configured(settings)
    cfg = settings.train
    holdout = split_holdout(
        dataset.y, test_size=cfg.test_size, seed=cfg.seed, setting=settings.named("train.test_size")
    )
    rows = list(holdout.train_rows)
    X = dataset.X.iloc[rows].reset_index(drop=True)
    digests = (dataset.digest, dataset.description.digest())
    return X, target_bad(dataset.y.iloc[rows]), len(rows), digests


def _builder(settings: Settings, key: str) -> Any:
    from credit_mlops.data.locate import description
    from credit_mlops.train.spec import resampling
    from credit_mlops.tune.search import pipeline_builder

    return pipeline_builder(  # what it reads is in the study's identity (`study_identity`)
        key,
        settings.train.seed,
        resampling=resampling(settings),
        description=description(settings),
        scorecard=settings.scorecard.params(),
        class_weight=settings.train.class_weight,  # as `credit train` weighs every fit
    )


def _parent_params(settings: Settings, start: TuneStart) -> dict[str, Any]:
    cfg = settings.train
    return {
        "tuned_model": start.model_key,  # not model_key: compare takes those for training runs
        "objective": start.objective,
        "n_trials": start.n_trials,
        "folds": start.folds,
        "random_seed": cfg.seed,
        "test_size": cfg.test_size,
        "smote__used": cfg.smote,
        "study": start.study,
        "storage": start.storage,
        **{f"space__{name}": text for name, text in start.space.items()},
    }


@dataclass(frozen=True)
class _Prepared:
    start: TuneStart
    study: Any
    objective: Callable[[Any], float]
    space: dict[str, Param]
    seats: Path  # where this machine's workers hold their seats (see tune.seats)
    runs: Any  # the MLflow side (checked), or None when tracking is disabled


def _prepare(settings: Settings, key: str) -> _Prepared:
    """Every check before anything is written: space, data, storage (exit 3 if it does not
    answer), the tracking store (`_tune_runs`); then the study and the trial objective. A
    refused worker leaves no study journal behind."""
    from credit_mlops.tune import seats
    from credit_mlops.tune.objective import plan_folds
    from credit_mlops.tune.search import trial_objective
    from credit_mlops.tune.storage import StorageSpec, display_url, open_storage, probe
    from credit_mlops.tune.study import open_study, study_identity
    from credit_mlops.tune.training import checked_best
    from credit_mlops.tune.workers import counts

    t = settings.tune
    check_key(key)
    check_variant(settings, key)
    probe(StorageSpec.of(settings))  # a database that does not answer: exit 3 at once
    space = space_for(settings, key)
    X, y, n_rows, digests = _training_part(settings)
    check_tuned(settings, key, n_rows, int(min(y.sum(), n_rows - y.sum())))
    runs = _tune_runs(settings)  # e.g. a deleted experiment: refused before the journal
    storage = open_storage(StorageSpec.of(settings))
    name = t.study_name(key)
    direction = OBJECTIVES[t.objective]
    study = open_study(
        storage, name, direction, settings.train.seed, study_identity(settings, key, digests, space)
    )
    checked_best(study, space, key)  # a best trial its space cannot give: refused, no run
    start = TuneStart(
        model_key=key,
        study=name,
        storage=display_url(t.storage_url(settings.root)),
        objective=t.objective,
        direction=direction,
        n_trials=t.trials,
        already_finished=counts(study).finished,
        n_rows=n_rows,
        folds=t.folds,
        space={n: describe(p) for n, p in space.items()},
        parent_run_id=None,
    )
    plan = plan_folds(X, y, folds=t.folds, seed=settings.train.seed)
    folder = seats.folder_for(t.storage_url(settings.root), settings.root)
    objective = trial_objective(
        space,
        _builder(settings, key),
        plan,
        objective=t.objective,
        costs=settings.cost.matrix(),
        jobs=lambda: seats.jobs(folder),
    )
    return _Prepared(start, study, objective, space, folder, runs)


def tune(
    settings: Settings, key: str, *, train_after: bool = False, callbacks: Callbacks | None = None
) -> TuneReport:
    from credit_mlops.tune.seats import seat

    cb = callbacks or Callbacks()
    prepared = _prepare(settings, key)  # bad input or unreachable storage: nothing logged
    with seat(prepared.seats):  # this machine's cores are shared among its live workers
        return _tune_prepared(settings, key, prepared, train_after, cb)


def _tune_prepared(
    settings: Settings, key: str, prepared: _Prepared, train_after: bool, cb: Callbacks
) -> TuneReport:
    from dataclasses import replace

    from credit_mlops.tune.training import checked_best, train_best
    from credit_mlops.tune.workers import run_worker

    t = settings.tune
    start = prepared.start
    runs = prepared.runs
    parent = None
    if runs is not None:
        orphans = tuple(runs.end_orphans(start.study))
        params = _parent_params(settings, start)
        parent = runs.start_parent(f"tune_{key}_{start.study}", params, _own_tags(key, start))
        start = replace(start, parent_run_id=parent, orphans_ended=orphans)
    if cb.on_start:
        cb.on_start(start)
    on_trial = _trial_logger(runs, parent, t.objective, cb.on_trial, _own_tags(key, start))
    status = "FAILED"
    try:
        result = run_worker(
            prepared.study,
            prepared.objective,
            n_trials=t.trials,
            timeout=t.timeout,
            should_stop=cb.should_stop,
            on_trial=on_trial,
            on_wait=cb.on_wait,
            patience=t.grace_period,  # a journal's trials held by stopped workers: `waiting`
        )
        status = "KILLED" if result.stopped_by == "interrupt" else "FINISHED"
    except KeyboardInterrupt:  # a second Ctrl-C stops at once: an interrupt, not a failure
        status = "KILLED"
        raise
    except Exception as exc:
        from credit_mlops.tune.storage import write_failure

        storage_error = write_failure(exc, t.storage_url(settings.root))
        if storage_error is None:
            raise
        raise storage_error from None
    finally:
        figures = _finish(runs, parent, prepared, status, t.objective, key)
    best = checked_best(prepared.study, prepared.space, key)  # as --params-from: exit 2
    trained = None
    if train_after and result.stopped_by != "interrupt":
        tuned_from = f"{start.study}/{parent or '-'}"
        trained = train_best(settings, key, best, tuned_from=tuned_from)
    return TuneReport(
        start=start, worker=result, parent_run_id=parent, figures=figures, trained=trained
    )


def _own_tags(key: str, start: TuneStart) -> dict[str, str]:
    """Tags of this worker's parent run and of each trial's child run: the process that
    logs them, so that runs it leaves RUNNING (killed) are ended by whoever comes next."""
    from credit_mlops.processes.identity import this_process

    return {"credit.model_key": key, "optuna.study": start.study, PROCESS_TAG: this_process()}


def _tune_runs(settings: Settings) -> Any:
    """The MLflow side, or None when tracking is disabled; the store is checked first."""
    if not settings.tracking.enabled:
        return None
    from credit_mlops.tracking.open import open_tracker

    tracker = open_tracker(settings)
    tracker.check()
    return tracker.tune_runs()


def _trial_logger(
    runs: Any,
    parent: str | None,
    objective: str,
    then: Callable[[TrialReport], None] | None,
    tags: dict[str, str],
) -> Callable[[TrialReport], None]:
    from credit_mlops.tracking.tuning import TrialRecord

    def on_trial(report: TrialReport) -> None:
        if runs is not None and parent is not None:
            record = TrialRecord(
                study=tags["optuna.study"],
                number=report.number,
                state=report.state,
                value=report.value,
                params=report.params,
                started=report.started,
                completed=report.completed,
                retry_of=report.retry_of,
            )
            runs.log_trial(parent, record, METRIC_NAMES[objective], tags)
        if then is not None:
            then(report)

    return on_trial


def _finish(
    runs: Any, parent: str | None, prepared: _Prepared, status: str, objective: str, key: str
) -> tuple[str, ...]:
    """Close the parent run with the study's best trial and Optuna's figures. A Ctrl-C
    while the figures are drawn or logged skips them: the run is still ended, as KILLED.
    A best trial its space cannot give (`best_problem`) is not logged: the run ends FAILED."""
    import json

    from credit_mlops.tracking.tuning import PARAMS_TAG
    from credit_mlops.tune.plots import figures
    from credit_mlops.tune.training import best_problem
    from credit_mlops.tune.workers import counts

    study = prepared.study
    if runs is None or parent is None:
        return ()
    drawn: dict[str, Any] = {}
    try:
        drawn = figures(study)
        runs.log_figures(parent, drawn)
    except KeyboardInterrupt:  # the second Ctrl-C of a worker already stopping
        runs.end_parent(parent, metrics={}, params={}, tags={}, status="KILLED")
        raise
    try:
        best = study.best_trial
    except ValueError:
        best = None
    if best is not None and best_problem(study, best, prepared.space, key):
        best, status = None, "FAILED"  # refused after the run (`checked_best`): not logged
    metrics = {"study_finished_trials": float(counts(study).finished)}
    params: dict[str, Any] = {}
    tags: dict[str, str] = {}
    if best is not None:
        metrics[f"best_{METRIC_NAMES[objective]}"] = float(best.value)
        params = {f"best__{k}": v for k, v in best.params.items()}
        tags = {
            PARAMS_TAG: json.dumps(best.params, sort_keys=True),
            "optuna.best_trial": str(best.number),
        }
    runs.end_parent(parent, metrics=metrics, params=params, tags=tags, status=status)
    return tuple(drawn)
