"""The commands' work as functions that return result objects; the CLI only renders them."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credit_mlops.config.settings import Settings
from credit_mlops.errors import CreditError, DataError, InputError, TrackingError
from credit_mlops.modeling.catalog import DISPLAY_NAMES

Progress = Callable[[str, str], None]
Stage = Callable[[str, int], None]  # (stage name, number of steps) when a stage starts


@dataclass(frozen=True)
class TrainInputs:
    """Where the data comes from and the per-invocation names that are not settings."""

    x_train: Path | None = None
    y_train: Path | None = None
    preprocessor: Path | None = None
    run_name: str | None = None
    reg_name: str | None = None


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


class TrainingNotLoggedError(CreditError):
    """Training finished but tracking failed; the runs are in the outbox."""

    def __init__(self, cause: TrackingError, report: TrainReport) -> None:
        super().__init__(str(cause))
        self.exit_code = cause.exit_code
        self.report = report


def train(
    settings: Settings,
    inputs: TrainInputs | None = None,
    *,
    on_stage: Stage | None = None,
    progress: Progress | None = None,
) -> TrainReport:
    inputs = inputs or TrainInputs()
    cfg = settings.train
    keys = list(cfg.models)
    if inputs.reg_name and len(keys) > 1:
        raise InputError("--mlflow-reg-name names one registered model; give one --model with it")
    if (inputs.x_train is None) != (inputs.y_train is None):
        raise InputError("--X-train and --y-train go together; give both or neither")
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock
        clock = now

    from credit_mlops.data import schema as data_mod
    from credit_mlops.modeling import cv as training

    lap("import")
    dataset = _load(settings, inputs)
    lap("data")

    holdout = data_mod.split_holdout(dataset.y, test_size=cfg.test_size, seed=cfg.seed)
    train_rows = list(holdout.train_rows)
    X = dataset.X.iloc[train_rows].reset_index(drop=True)
    y = training.target_bad(dataset.y.iloc[train_rows])
    resampling = (
        training.ResamplingConfig(cfg.smote_method, cfg.smote_k_neighbors, cfg.smote_m_neighbors)
        if cfg.smote
        else None
    )
    pconfig = training.PipelineConfig(
        seed=cfg.seed, resampling=resampling, preprocessor=_preprocessor(inputs.preprocessor)
    )
    lap("data")

    # Inputs are all checked by now: only a valid request opens (or creates) the store.
    tracker = None
    if settings.tracking.enabled:
        tracker = open_tracker(settings)
        lap("import")
        tracker.check()
        lap("store")

    cv: dict[str, training.CVResult] = {}
    if cfg.evaluate:
        if on_stage:
            on_stage("cross-validation", len(keys) * cfg.cv_folds * cfg.cv_repeats)
        cv = training.cross_validate(
            keys,
            pconfig,
            X,
            y,
            folds=cfg.cv_folds,
            repeats=cfg.cv_repeats,
            n_jobs=cfg.n_jobs,
            progress=progress,
        )
        lap("cv")
    if on_stage:
        on_stage("final fit", len(keys))
    fits = training.fit_final(keys, pconfig, X, y, n_jobs=cfg.n_jobs, progress=progress)
    lap("fit")

    stamp = datetime.now(UTC)
    results: list[ModelResult] = []
    failure: TrackingError | None = None
    if on_stage:
        on_stage("logging", len(keys) if tracker else 0)
    for key in keys:
        run_name = _run_name(inputs.run_name, key, len(keys), stamp)
        metrics = cv[key].metrics if key in cv else {}
        base = ModelResult(
            key=key,
            display_name=DISPLAY_NAMES[key],
            run_name=run_name,
            metrics=metrics,
            fit_seconds=fits[key].seconds,
        )
        if tracker is None:
            results.append(base)
            continue
        spec = _run_spec(
            settings,
            key,
            run_name,
            inputs,
            dataset,
            holdout,
            X,
            y,
            cv.get(key),
            fits[key].pipeline,
            stamp,
        )
        partial = None
        if failure is None:
            try:
                tracked = tracker.log_training_run(spec)
            except TrackingError as exc:
                failure = exc
                partial = getattr(exc.__cause__, "partial_run_id", None)
            else:
                results.append(
                    _with(
                        base,
                        run_id=tracked.run_id,
                        registered_name=tracked.registered_name,
                        registered_version=tracked.registered_version,
                        run_url=tracked.run_url,
                        experiment_url=tracked.experiment_url,
                    )
                )
        if failure is not None:
            from credit_mlops.train.outbox import write_entry

            entry = write_entry(
                settings.tracking.store_path(settings.root) / "outbox",
                spec,
                experiment=settings.tracking.experiment,
                reason=str(failure),
                partial_run_id=partial,
            )
            results.append(_with(base, outbox=str(entry)))
        if progress:
            progress(key, "log")
    lap("logging")

    from credit_mlops.config.masking import redact

    report = TrainReport(
        experiment=settings.tracking.experiment if tracker else None,
        tracking_uri=redact(settings.tracking_uri) if tracker else None,
        model_version=settings.model_version,
        data_source=dataset.source,
        n_train=len(holdout.train_rows),
        n_holdout=len(holdout.test_rows),
        results=tuple(results),
        timings=timings,
        error=str(failure) if failure else None,
    )
    if failure is not None:
        raise TrainingNotLoggedError(failure, report)
    return report


def open_tracker(settings: Settings, *, existing: bool = False) -> Any:
    """The Tracker for the settings' URI and experiment.

    With `existing`, a local store that does not exist yet is an error, not a new store:
    commands that only read or change what training wrote have nothing to work on.
    """
    from credit_mlops.errors import NotFoundError
    from credit_mlops.tracking.tracker import HttpPolicy, Tracker

    t = settings.tracking
    uri = settings.tracking_uri
    if existing and uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///") :]).exists():
        raise NotFoundError(
            f"no tracking store at {uri} yet; run `credit train` first or pick another "
            "with --mlflow-uri / --profile"
        )
    tracker = Tracker(
        uri,
        t.experiment,
        artifact_root=None if t.uri else t.store_path(settings.root) / "artifacts",
        http=HttpPolicy(
            t.http_max_retries, t.http_timeout, t.http_backoff_factor, t.http_backoff_jitter
        ),
    )
    if tracker.is_remote:
        tracker.ping()  # one quick request: a server that is not there fails fast
    return tracker


def _with(result: ModelResult, **changes: Any) -> ModelResult:
    from dataclasses import replace

    return replace(result, **changes)


def _load(settings: Settings, inputs: TrainInputs) -> Any:
    from credit_mlops.data import schema as data_mod

    minimum = settings.data.min_rows_per_class
    if inputs.x_train is not None and inputs.y_train is not None:
        return data_mod.load_processed(
            inputs.x_train,
            inputs.y_train,
            preprocessed=inputs.preprocessor is not None,
            min_rows_per_class=minimum,
        )
    return data_mod.load_dataset(data_file(settings), min_rows_per_class=minimum)


def _preprocessor(path: Path | None) -> Any:
    if path is None:
        return None
    if not path.is_file():
        raise DataError(
            f"preprocessor {path} does not exist; pass the joblib file of a transformer"
        )
    import joblib

    try:
        obj = joblib.load(path)  # a file of the team's own; joblib is pickle, trust it only
    except Exception as exc:
        raise DataError(f"{path}: not a joblib transformer ({type(exc).__name__})") from exc
    if not hasattr(obj, "fit_transform"):
        raise DataError(f"{path}: holds a {type(obj).__name__}, not a transformer")
    return obj


def _run_name(given: str | None, key: str, n_models: int, stamp: datetime) -> str:
    if given:
        return given if n_models == 1 else f"{given}_{key}"
    return f"train_{key}_{stamp:%Y%m%d_%H%M%S}"


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def _run_spec(
    settings: Settings,
    key: str,
    run_name: str,
    inputs: TrainInputs,
    dataset: Any,
    holdout: Any,
    X: Any,
    y: Any,
    cv: Any,
    pipeline: Any,
    stamp: datetime,
) -> Any:
    from credit_mlops.data.schema import TARGET
    from credit_mlops.modeling import estimators as models
    from credit_mlops.tracking.tracker import RunSpec

    cfg = settings.train
    t = settings.tracking
    metrics, threshold_source = decision_metrics(cv, pipeline, X, y)
    params: dict[str, Any] = {
        "version": settings.model_version,
        "model_key": key,
        "cv_folds": cfg.cv_folds,
        "cv_repeats": cfg.cv_repeats,
        "evaluated": cfg.evaluate,
        "random_seed": cfg.seed,
        "test_size": cfg.test_size,
        "smote__used": cfg.smote,
        "positive_class": "bad (kredit=0)",
        "data_rows": dataset.shape[0],
        "data_columns": dataset.shape[1],
        "train_rows": len(holdout.train_rows),
        "holdout_rows": len(holdout.test_rows),
        "data_digest": dataset.digest,
        "data_source": dataset.source,
        "preprocessor": str(inputs.preprocessor) if inputs.preprocessor else "builtin",
        "threshold_source": threshold_source,
    }
    if cfg.smote:
        params.update({f"smote__{k}": v for k, v in _resampling_params(settings).items()})
    for name, value in models.hyperparameters(pipeline.named_steps["model"]).items():
        params[f"model__{name}"] = value
    tags = {
        "project": t.project,
        "team": t.team,
        "script": "credit train",
        "model_version": settings.model_version,
        "model_name": key,
        "model_display_name": DISPLAY_NAMES[key],
        "git_commit": git_commit(settings.root),
        "timestamp": stamp.isoformat(timespec="seconds"),
        "profile": settings.profile,
        **t.tags,
    }
    results = {
        "model_key": key,
        "model_display_name": DISPLAY_NAMES[key],
        "version": settings.model_version,
        "timestamp": stamp.isoformat(timespec="seconds"),
        "params": {k: str(v) for k, v in params.items()},
        "cv_results": cv.metrics if cv else None,
        "decision_threshold": metrics["decision_threshold"],
        "cv_folds_scores": list(cv.folds) if cv else None,
        "data": {"source": dataset.source, "digest": dataset.digest, "shape": dataset.shape},
    }
    frame = X.assign(**{TARGET: 1 - y})  # back to the file's coding: 1 good, 0 bad
    register = t.register_models and settings.tracking.enabled
    return RunSpec(
        run_name=run_name,
        params=params,
        metrics=metrics,
        tags=tags,
        pipeline=pipeline,
        input_example=X.head(5),
        dataset=frame,
        dataset_source=dataset.source,
        dataset_name="south-german-credit",
        artifacts={
            "results/model_results.json": results,
            "results/holdout.json": holdout.to_json(dataset.digest),
        },
        register_as=(inputs.reg_name or key) if register else None,
        version_tags={"model_version": settings.model_version, "model_key": key},
        booster=pipeline.named_steps["model"].get_booster() if key == "xgboost" else None,
    )


def decision_metrics(cv: Any, pipeline: Any, X: Any, y: Any) -> tuple[dict[str, float], str]:
    """CV metrics plus the cost-optimal threshold, chosen on the training part only."""
    from credit_mlops.modeling.metrics import cost_optimal_threshold

    if cv is not None:
        return {
            **cv.metrics,
            "decision_threshold": cv.threshold,
            "expected_cost_cv": cv.oof_cost,
            "expected_cost_cv_at_0_5": cv.oof_cost_at_half,
        }, "out-of-fold predictions on the training part"
    # Without cross-validation the only training-part predictions are in-sample ones.
    proba = pipeline.predict_proba(X)[:, 1]
    return {"decision_threshold": cost_optimal_threshold(y, proba)}, (
        "in-sample predictions on the training part (trained with --no-evaluate)"
    )


def _resampling_params(settings: Settings) -> dict[str, Any]:
    from credit_mlops.modeling.cv import ResamplingConfig

    cfg = settings.train
    return ResamplingConfig(cfg.smote_method, cfg.smote_k_neighbors, cfg.smote_m_neighbors).params()


def fetch_data(settings: Settings, *, progressbar: Any = False) -> Path:
    from credit_mlops.data import schema as data_mod

    return data_mod.fetch(
        settings.data.url,
        settings.path(settings.data.dir),
        sha256=settings.data.sha256,
        progressbar=progressbar,
        min_rows_per_class=settings.data.min_rows_per_class,
    )


def validate_data(settings: Settings, path: Path | None) -> Any:
    from credit_mlops.data import schema as data_mod

    return data_mod.load_dataset(
        data_file(settings, path), min_rows_per_class=settings.data.min_rows_per_class
    )


def data_file(settings: Settings, override: Path | None = None) -> Path:
    """`override`, else data.path, else data.dir/SouthGermanCredit.asc (or how to get it)."""
    from credit_mlops.data import schema as data_mod

    explicit = override or (settings.path(settings.data.path) if settings.data.path else None)
    return data_mod.find_data_file(explicit, settings.path(settings.data.dir))
