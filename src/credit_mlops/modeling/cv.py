"""Cross-validation and the final fit.

Folds of all models run side by side in one process
pool; each task runs its estimator single-threaded, so results do not depend on --n-jobs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from credit_mlops.modeling.catalog import slowest_first
from credit_mlops.modeling.metric_names import DECISION_METRICS, METRICS
from credit_mlops.modeling.metrics import score
from credit_mlops.processes.signals import sigint_blocked

if TYPE_CHECKING:
    from imblearn.pipeline import Pipeline

from credit_mlops.modeling.build import PipelineConfig
from credit_mlops.processes.pools import end_workers, one_worker, start_trackers

Progress = Callable[[str, str], None]  # (model key, "fold" | "fit") after each finished task


@dataclass(frozen=True)
class CVResult:
    key: str
    metrics: dict[str, float]  # <metric>_{test,train}_{mean,std}
    folds: tuple[dict[str, float], ...]
    seconds: float  # compute time summed over folds
    # The decision threshold of the final model, by the configured rule on training data only
    # (Bayes: from the cost matrix; cv: on the out-of-fold predictions, mean over repeats).
    threshold: float = 0.5
    oof_cost: float = float("nan")  # expected cost per applicant at `threshold`
    oof_cost_at_half: float = float("nan")
    oof: np.ndarray | None = None  # the out-of-fold P(bad) itself (monitoring reference)


@dataclass(frozen=True)
class FitResult:
    key: str
    pipeline: Pipeline
    seconds: float


def cv_splits(
    y: np.ndarray, *, folds: int, repeats: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import RepeatedStratifiedKFold

    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))


def resolve_jobs(n_jobs: int, tasks: int) -> int:
    cores = os.cpu_count() or 1
    wanted = cores if n_jobs in (-1, 0) else n_jobs
    return max(1, min(wanted, tasks))


def fitted(
    key: str, config: PipelineConfig, X: Any, y: np.ndarray, threshold: float | None = None
) -> tuple[Any, float]:
    """The model `credit train` fits on these rows, and its threshold: the kind's inner grid
    chosen on them, the threshold by the configured rule from them (unless given), class
    weights for them. Every fit goes through here: CV folds, the final model, benchmarks."""
    from credit_mlops.modeling.build import build_model, training_threshold, weighted
    from credit_mlops.modeling.inner_search import chosen

    config = chosen(key, config, X, y)
    if threshold is None:
        threshold = training_threshold(key, config, X, y)
    return weighted(build_model(key, config, threshold), config, y).fit(X, y), threshold


def _fold_task(
    key: str,
    config: PipelineConfig,
    X: pd.DataFrame,
    y: np.ndarray,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
) -> tuple[dict[str, float], np.ndarray, float]:
    from threadpoolctl import threadpool_limits

    from credit_mlops.modeling.cost_matrix import decision_scores

    start = time.perf_counter()
    with threadpool_limits(limits=1):
        X_train, y_train = X.iloc[train_idx], y[train_idx]
        # The fold's hyperparameters and threshold are chosen without its test rows: the same
        # rules as the final model.
        model, threshold = fitted(key, config, X_train, y_train)
        matrix = config.quality.cost
        result: dict[str, float] = {}
        oof = np.empty(0)
        # the training rows are scored on the copy they were fit on: one copy per fold, not two
        parts = (("test", X.iloc[test_idx], y[test_idx]), ("train", X_train, y_train))
        for part, rows, labels in parts:
            proba = model.predict_proba(rows)[:, 1]
            if part == "test":
                oof = proba
            scores = {**score(labels, proba), **decision_scores(matrix, labels, proba, threshold)}
            for name, value in scores.items():
                result[f"{name}_{part}"] = value
    return result, oof, time.perf_counter() - start


def _fit_task(
    key: str, config: PipelineConfig, X: pd.DataFrame, y: np.ndarray, threshold: float | None
) -> tuple[Any, float]:
    """The logged model: FixedThresholdClassifier(threshold from training data only)."""
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    with threadpool_limits(limits=1):
        # no threshold given (no cross-validation ran): the rule on the training rows
        model, _ = fitted(key, config, X, y, threshold)
    return model, time.perf_counter() - start


def _run(
    tasks: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]], n_jobs: int, pool: bool = False
) -> Iterable[Any]:
    """Run tasks, yielding (index, result) as they finish; in this process when one job
    suffices, unless `pool` asks for worker processes even then (one worker left to compute
    while this process does other work)."""
    jobs = resolve_jobs(n_jobs, len(tasks))
    if jobs == 1 and not pool:
        for i, (fn, args) in enumerate(tasks):
            yield i, fn(*args)
        return
    if jobs == 1:  # joblib runs n_jobs=1 in this process: loky's executor gives the worker
        yield from _one_worker(tasks)
        return
    from joblib import Parallel, delayed

    # The data set reaches the workers memory-mapped, not copied: joblib dumps every numpy
    # array over max_nbytes in the tasks' arguments (the frame's column blocks, y, the fold
    # indices) once to a temporary file that each worker maps read-only (mmap_mode="r"), so a
    # worker holds only its fold's rows. Results are those of the same arrays in memory.
    parallel = Parallel(
        n_jobs=jobs, return_as="generator_unordered", max_nbytes="1M", mmap_mode="r"
    )
    start_trackers()
    try:
        with sigint_blocked():  # the workers start with it blocked: only we end them
            results = parallel(
                delayed(_in_worker)(i, fn, args) for i, (fn, args) in enumerate(tasks)
            )
        yield from results
    except KeyboardInterrupt:
        end_workers()
        raise


def _one_worker(tasks: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]]) -> Iterable[Any]:
    from concurrent.futures import as_completed

    executor = one_worker()  # the one `workers.warm_up` may have started already
    start_trackers()
    with sigint_blocked():  # the worker starts with it blocked: only we end it
        futures = [executor.submit(_in_worker, i, fn, a) for i, (fn, a) in enumerate(tasks)]
    try:
        for future in as_completed(futures):
            yield future.result()
    except KeyboardInterrupt:
        end_workers()
        raise
    finally:  # stopped early (an error, a cancelled job): the folds not started never run
        for future in futures:
            future.cancel()


def _in_worker(i: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[int, Any]:
    """One task in a pool worker. A terminal's Ctrl-C reaches the whole process group:
    the workers ignore it (no traceback from each of them); the parent ends the pool."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return i, fn(*args)


def cross_validate(
    keys: Sequence[str],
    config: PipelineConfig,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    folds: int,
    repeats: int,
    n_jobs: int = -1,
    progress: Progress | None = None,
    pool: bool = False,
) -> dict[str, CVResult]:
    splits = cv_splits(y, folds=folds, repeats=repeats, seed=config.seed)
    ordered = slowest_first(keys)
    plan = [(key, n) for key in ordered for n in range(len(splits))]
    tasks = [(_fold_task, (key, config, X, y, splits[n][0], splits[n][1])) for key, n in plan]
    per_fold: dict[str, dict[int, dict[str, float]]] = {key: {} for key in keys}
    seconds: dict[str, float] = dict.fromkeys(keys, 0.0)
    oof = {key: np.zeros((repeats, len(y))) for key in keys}
    for i, (scores, proba, spent) in _run(tasks, n_jobs, pool):
        key, n = plan[i]
        per_fold[key][n] = scores
        oof[key][n // folds, splits[n][1]] = proba
        seconds[key] += spent
        if progress:
            progress(key, "fold")
    return {
        key: _aggregate(
            key,
            [per_fold[key][n] for n in range(len(splits))],
            seconds[key],
            y,
            oof[key].mean(axis=0),
            config,
        )
        for key in keys
    }


def _aggregate(
    key: str,
    folds: list[dict[str, float]],
    seconds: float,
    y: np.ndarray,
    oof: np.ndarray,
    config: PipelineConfig,
) -> CVResult:
    metrics: dict[str, float] = {}
    for name in (*METRICS, *DECISION_METRICS):
        for part in ("test", "train"):
            values = np.array([f[f"{name}_{part}"] for f in folds], dtype=float)
            metrics[f"{name}_{part}_mean"] = float(values.mean())
            metrics[f"{name}_{part}_std"] = float(values.std())
    quality = config.quality
    matrix = quality.cost
    # The cv rule's threshold for the final model: the cross-validation's own out-of-fold
    # predictions are training-part data, so no further fits are needed.
    rule_cv = quality.threshold_rule == "cv"
    threshold = matrix.best_threshold(y, oof) if rule_cv else matrix.bayes_threshold
    return CVResult(
        key=key,
        metrics=metrics,
        folds=tuple(folds),
        seconds=seconds,
        threshold=threshold,
        oof_cost=matrix.cost_at(y, oof, threshold),
        oof_cost_at_half=matrix.cost_at(y, oof, 0.5),
        oof=oof,
    )


def fit_final(
    keys: Sequence[str],
    config: PipelineConfig,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    n_jobs: int = -1,
    progress: Progress | None = None,
    thresholds: dict[str, float] | None = None,
) -> dict[str, FitResult]:
    ordered = slowest_first(keys)
    chosen = thresholds or {}
    tasks = [(_fit_task, (key, config, X, y, chosen.get(key))) for key in ordered]
    out: dict[str, FitResult] = {}
    for i, (pipe, spent) in _run(tasks, n_jobs):
        key = ordered[i]
        out[key] = FitResult(key=key, pipeline=pipe, seconds=spent)
        if progress:
            progress(key, "fit")
    return {key: out[key] for key in keys}
