"""Hyperparameters a model kind chooses at every fit, from that fit's training rows only.

A kind may list a small grid (`ModelKind.inner_grid`: the logistic regression's
regularisation C). Each time `credit train` fits it (every CV fold, the final model) the
value is chosen by an inner stratified k-fold on the rows about to be fitted: preprocessing
and oversampling are fitted on each inner training part alone (synthetic rows never reach
an inner validation part), and the value with the lowest log loss on the inner validation
parts wins (ties: the first, the stronger regularisation). The rows a fold is scored on
play no part, so the cross-validated figures stay honest. A value given by the user (`credit
tune`, `--params-from`, `[ensemble.params]`) is kept; `train.inner_search = false` keeps the
catalogue's fixed values, and so does a fit on more than `train.inner_search_max_rows`
rows (there the penalty weighs little beside the data, and the search would cost many fits
of a large model).

The grid is walked in order with warm starts where the estimator has them (each fit starts
from the previous point's coefficients), so the search costs a few full fits per inner part.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from credit_mlops.modeling.catalog import KINDS

if TYPE_CHECKING:
    from credit_mlops.modeling.build import PipelineConfig


def chosen(key: str, config: PipelineConfig, X: Any, y: np.ndarray) -> PipelineConfig:
    """`config` with the grid values of `key` (or of the ensemble's members) chosen on (X, y)."""
    limit = config.inner_search_max_rows
    if not config.inner_search or (limit and len(y) > limit):
        return config
    if KINDS[key].inputs == "members":
        return _members_chosen(config, X, y)
    grid = _open_grid(key, config.model_params.get(key, {}))
    if not grid:
        return config
    values = best_values(key, config, grid, X, y)
    params = {**config.model_params, key: {**config.model_params.get(key, {}), **values}}
    return replace(config, model_params=params)


def _members_chosen(config: PipelineConfig, X: Any, y: np.ndarray) -> PipelineConfig:
    """Each member's grid, chosen as the vote builds that member (its own oversampling)."""
    spec = config.quality.ensemble
    members = config if spec.smote else replace(config, resampling=None)
    params = dict(config.model_params)
    for member in spec.members:
        given = {**config.model_params.get(member, {}), **spec.params.get(member, {})}
        grid = _open_grid(member, given)
        if grid:
            params[member] = {
                **params.get(member, {}),
                **best_values(member, members, grid, X, y),
            }
    return replace(config, model_params=params)


def _open_grid(key: str, given: Any) -> dict[str, tuple[Any, ...]]:
    """The kind's grid, unless the user gave any of its parameters."""
    grid = dict(KINDS[key].inner_grid)
    if any(name in given for name in grid):
        return {}
    return grid


def best_values(
    key: str,
    config: PipelineConfig,
    grid: dict[str, tuple[Any, ...]],
    X: Any,
    y: np.ndarray,
) -> dict[str, Any]:
    """The grid point with the lowest inner-CV log loss on (X, y)."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    from credit_mlops.modeling.build import build_pipeline, weighted

    pipeline = build_pipeline(key, config)
    steps = dict(pipeline.steps)
    points = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    splitter = StratifiedKFold(
        n_splits=config.quality.inner_folds, shuffle=True, random_state=config.seed
    )
    labels = np.asarray(y)
    losses = np.zeros((splitter.get_n_splits(), len(points)))
    parts = splitter.split(np.zeros(len(labels)), labels)
    for part, (fit_rows, check_rows) in enumerate(parts):
        X_fit, y_fit = _rows(X, fit_rows), labels[fit_rows]
        prepare = clone(steps["preprocess"]).fit(X_fit, y_fit)
        ready, ready_y = prepare.transform(X_fit), y_fit
        if "smote" in steps:
            ready, ready_y = clone(steps["smote"]).fit_resample(ready, ready_y)
        checked = prepare.transform(_rows(X, check_rows))
        model = weighted(clone(steps["model"]), config, ready_y)
        if "warm_start" in model.get_params():
            model.set_params(warm_start=True)
        for i, point in enumerate(points):
            proba = model.set_params(**point).fit(ready, ready_y).predict_proba(checked)[:, 1]
            losses[part, i] = summed_log_loss(labels[check_rows], proba)
    return points[int(np.argmin(losses.sum(axis=0)))]


def summed_log_loss(labels: np.ndarray, proba: np.ndarray) -> float:
    """The log loss of P(bad) `proba` for 0/1 `labels`, summed over the rows (clipped as
    scikit-learn clips it)."""
    p = np.clip(proba, np.finfo(float).eps, 1 - np.finfo(float).eps)
    return float(-np.sum(np.where(labels == 1, np.log(p), np.log1p(-p))))


def _rows(X: Any, rows: np.ndarray) -> Any:
    return X.iloc[rows] if hasattr(X, "iloc") else X[rows]
