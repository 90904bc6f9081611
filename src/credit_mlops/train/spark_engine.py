"""`credit train --engine spark`: logistic regression and XGBoost trained by Spark's own
learners on the profile's spark.master, logged and registered as the same portable model
the pandas engine logs (so predict, explain, fairness, monitor, report and serving load it
unchanged).

    read (Parquet/CSV, Spark) -> check -> holdout and folds by a seeded hash of the key
    -> per fold: statistics, features, weights, fit, scores (Spark jobs; the scores come
       back to the driver, two numbers a row, for exact metrics) -> final fit -> log
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError
from credit_mlops.modeling.catalog import DISPLAY_NAMES
from credit_mlops.train.inputs import TrainInputs
from credit_mlops.train.spark_learners import SUPPORTED
from credit_mlops.train.train import ModelResult, TrainingNotLoggedError, TrainReport

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from credit_mlops.modeling.cv import CVResult, Progress
    from credit_mlops.modeling.portable_fit import FeatureStats
    from credit_mlops.tracking.store import TrackingStore
    from credit_mlops.train.spark_learners import SparkFit
    from credit_mlops.train.spark_spec import SparkData

SAMPLE_ROWS = 20_000  # driver-side rows for the background, reference and input example


def check_request(settings: Settings, inputs: TrainInputs) -> list[str]:
    """Refuse what the Spark engine does not do (one line each); the notes to show."""
    keys = list(settings.train.models)
    unsupported = [k for k in keys if k not in SUPPORTED]
    if unsupported:
        raise InputError(
            f"--engine spark trains {', '.join(SUPPORTED)}; not {', '.join(unsupported)} "
            "(train those with the pandas engine)"
        )
    if settings.train.calibrate != "none":
        raise InputError("--engine spark does not calibrate; drop --calibrate")
    if settings.cost.threshold != "bayes":
        raise InputError("--engine spark decides by the Bayes threshold; set cost.threshold")
    if inputs.x_train is not None or inputs.preprocessor is not None:
        raise InputError("--engine spark reads --data (Parquet or CSV) with its own preprocessing")
    if settings.train.smote:
        return [
            f"--engine spark weights the classes instead of oversampling "
            f"({settings.train.smote_method} is not run)"
        ]
    return []


def train_on_spark(
    settings: Settings,
    inputs: TrainInputs | None = None,
    *,
    progress: Progress | None = None,
    store: TrackingStore | None = None,
) -> TrainReport:
    """Train the settings' models on Spark; log them to `store` (default: the settings')."""
    from credit_mlops.data.locate import data_file, description
    from credit_mlops.lifecycle.spark import check_description, require_pyspark, session
    from credit_mlops.ops.spark_failures import check_java, check_master, check_python
    from credit_mlops.train.tuned import apply_params_from

    settings, inputs = apply_params_from(settings, inputs or TrainInputs())
    notes = check_request(settings, inputs)
    check_description(description(settings), "the settings name the data description")
    require_pyspark()
    check_python()  # the checks session() makes, before the store: one line, no JVM
    check_java()
    check_master(settings.spark.master, settings.spark.connect_timeout)
    path = data_file(settings)
    if settings.tracking.enabled and store is None:
        from credit_mlops.tracking.open import open_tracker, target

        target(settings, create=False)  # an unusable tracking URI is refused before Spark
        store = open_tracker(settings)
    if store is not None:
        store.check()
    import warnings

    from credit_mlops.ops.spark_failures import spark_failures

    spark = session(
        settings.spark.master, app="credit train", timeout=settings.spark.connect_timeout
    )
    try:
        with spark_failures(settings.spark.master), warnings.catch_warnings():
            # pyspark 4 warns at each toPandas that pandas 3 is "not fully supported"; the
            # rows that come back are checked against the portable model in the tests.
            warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
            report = _train_all(spark, settings, inputs, str(path), store, progress)
    finally:
        spark.stop()
    return replace(report, notes=tuple(notes))


def _train_all(
    spark: SparkSession,
    settings: Settings,
    inputs: TrainInputs,
    source: str,
    store: TrackingStore | None,
    progress: Progress | None,
) -> TrainReport:
    from credit_mlops.train.train import _log_one

    data, train_part = _load(spark, settings, source)
    stamp = datetime.now(UTC)
    results, failure = [], None
    for key in settings.train.models:
        started = time.perf_counter()
        params = (inputs.model_params or {}).get(key, {})
        cv = _cross_validate(spark, settings, key, train_part, params, progress)
        model = _final_model(spark, settings, key, train_part, params)
        name = _run_name(inputs.run_name, key, len(settings.train.models), stamp)
        base = ModelResult(
            key=key,
            display_name=DISPLAY_NAMES[key],
            run_name=name,
            metrics=cv.metrics if cv else {},
            fit_seconds=time.perf_counter() - started,
        )
        if progress:
            progress(key, "fit")
        if store is None:
            results.append(base)
            continue
        from credit_mlops.train.spark_spec import run_spec

        spec = run_spec(settings, key, name, data, cv, model, stamp, inputs.reg_name)
        result, error, _ = _log_one(settings, store, spec, base, failure)
        failure = failure or error
        results.append(result)
    train_part.unpersist()
    report = TrainReport(
        experiment=settings.tracking.experiment if store else None,
        tracking_uri=settings.tracking_uri_shown if store else None,
        model_version=settings.model_version,
        data_source=source,
        n_train=data.train_rows,
        n_holdout=data.holdout_rows,
        results=tuple(results),
    )
    if failure is not None:
        raise TrainingNotLoggedError(failure, report)
    return report


def _run_name(given: str | None, key: str, n_models: int, stamp: datetime) -> str:
    from credit_mlops.train.spec import run_name

    return run_name(given, key, n_models, stamp)


def _load(spark: SparkSession, settings: Settings, source: str) -> tuple[SparkData, DataFrame]:
    """Read, check and split in Spark; a seeded sample of the training part on the driver."""
    from pathlib import Path

    import pandas as pd

    from credit_mlops.lifecycle.spark import read_input
    from credit_mlops.train import spark_jobs as jobs
    from credit_mlops.train.spark_spec import SparkData

    cfg, id_column = settings.train, settings.spark.id_column
    frame = read_input(spark, Path(source))
    keyed = "an id column" if id_column in frame.columns else "the row's values"
    rows = jobs.training_rows(frame, source=source, id_column=id_column)
    train_part = jobs.training_part(rows, seed=cfg.seed, test_size=cfg.test_size).persist()
    n_rows, digest = jobs.digest(rows)
    n_train = train_part.count()
    labels, columns = jobs.sample(train_part, SAMPLE_ROWS, cfg.seed)
    data = SparkData(
        source=source,
        digest=digest,
        rows=n_rows,
        train_rows=n_train,
        holdout_rows=n_rows - n_train,
        sample_X=pd.DataFrame(columns).astype("int64"),
        sample_y=labels,
        split=f"xxhash64 of {keyed} ({id_column}), seed {cfg.seed}",
    )
    return data, train_part


def _fit(
    spark: SparkSession, settings: Settings, key: str, rows: DataFrame, params: dict[str, object]
) -> tuple[SparkFit, FeatureStats]:
    """Statistics, features and weights of `rows`, then the fit; and the featuriser."""
    from credit_mlops.train import spark_jobs as jobs
    from credit_mlops.train.spark_learners import fit

    stats, positives = jobs.feature_stats(rows)
    featured, spw = jobs.with_weights(jobs.featurize(rows, stats), key, stats.rows, positives)
    workers = settings.spark.num_workers or int(spark.sparkContext.defaultParallelism)
    fitted = fit(
        key, featured, stats, spw=spw, seed=settings.train.seed, workers=workers, params=params
    )
    return fitted, stats


def _final_model(
    spark: SparkSession, settings: Settings, key: str, rows: DataFrame, params: dict[str, object]
) -> object:
    from credit_mlops.modeling.cost_matrix import CostMatrix
    from credit_mlops.modeling.portable_fit import with_threshold
    from credit_mlops.train.spark_learners import portable

    fitted, _ = _fit(spark, settings, key, rows, params)
    pipeline = portable(fitted, settings.train.seed, params)
    matrix = CostMatrix(settings.cost.accept_bad, settings.cost.reject_good)
    return with_threshold(pipeline, matrix.bayes_threshold)


def _cross_validate(
    spark: SparkSession,
    settings: Settings,
    key: str,
    rows: DataFrame,
    params: dict[str, object],
    progress: Progress | None,
) -> CVResult | None:
    """Folds by a seeded hash of the key, each fitted and scored by Spark."""
    from credit_mlops.modeling.cost_matrix import CostMatrix, decision_scores
    from credit_mlops.modeling.cv import CVResult
    from credit_mlops.modeling.metrics import score
    from credit_mlops.train import spark_jobs as jobs

    cfg = settings.train
    if not cfg.evaluate:
        return None
    matrix = CostMatrix(settings.cost.accept_bad, settings.cost.reject_good)
    threshold = matrix.bayes_threshold
    folds: list[dict[str, float]] = []
    costs, costs_half, spent = [], [], time.perf_counter()
    for repeat in range(cfg.cv_repeats):
        marked = jobs.fold_of(rows, seed=cfg.seed, repeat=repeat, folds=cfg.cv_folds)
        oof_y, oof_p = [], []
        for fold in range(cfg.cv_folds):
            train = marked.where(marked["_fold"] != fold).drop("_fold")
            test = marked.where(marked["_fold"] == fold).drop("_fold")
            fitted, stats = _fit(spark, settings, key, train, params)
            scores: dict[str, float] = {}
            for part, part_rows in (("test", test), ("train", train)):
                y, p = jobs.collect_scores(
                    jobs.probabilities(fitted.model, jobs.featurize(part_rows, stats))
                )
                if part == "test":
                    oof_y.append(y)
                    oof_p.append(p)
                both = {**score(y, p), **decision_scores(matrix, y, p, threshold)}
                scores.update({f"{name}_{part}": value for name, value in both.items()})
            folds.append(scores)
            if progress:
                progress(key, "fold")
        y_all, p_all = np.concatenate(oof_y), np.concatenate(oof_p)
        costs.append(matrix.cost_at(y_all, p_all, threshold))
        costs_half.append(matrix.cost_at(y_all, p_all, 0.5))
    return CVResult(
        key=key,
        metrics=_summary(folds),
        folds=tuple(folds),
        seconds=time.perf_counter() - spent,
        threshold=threshold,
        oof_cost=float(np.mean(costs)),
        oof_cost_at_half=float(np.mean(costs_half)),
    )


def _summary(folds: list[dict[str, float]]) -> dict[str, float]:
    """<metric>_<part>_{mean,std} over the folds, as the pandas engine logs them."""
    out: dict[str, float] = {}
    for name in folds[0]:
        values = np.array([f[name] for f in folds], dtype=float)
        out[f"{name}_mean"] = float(values.mean())
        out[f"{name}_std"] = float(values.std())
    return out
