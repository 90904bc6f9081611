"""The core search as plain functions: an Optuna objective from a space and fold plan, and
`best_params`, which tunes one model in memory (no storage, no tracking) and can be nested
inside outer cross-validation folds without ever seeing their test rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np

from credit_mlops.modeling.cost_matrix import CostMatrix
from credit_mlops.modeling.search_spaces import Param
from credit_mlops.tune.objective import (
    OBJECTIVES,
    Builder,
    FoldPlan,
    Pruned,
    evaluate,
    plan_folds,
)
from credit_mlops.tune.study import open_study, suggest


def trial_objective(
    space: Mapping[str, Param],
    build: Builder,
    plan: FoldPlan,
    *,
    objective: str,
    costs: CostMatrix | None = None,
    jobs: Callable[[], int] | None = None,
) -> Any:
    """An Optuna objective: suggest from `space`, score fold by fold, prune on request;
    `jobs()`, asked before each trial, is how many folds to fit at once (default 1)."""
    import optuna

    def run(trial: optuna.Trial) -> float:
        params = suggest(trial, space)

        def report(step: int, value: float) -> bool:
            trial.report(value, step)
            return bool(trial.should_prune())

        try:
            n_jobs = jobs() if jobs is not None else 1
            return evaluate(
                build, params, plan, objective=objective, costs=costs, report=report, n_jobs=n_jobs
            )
        except Pruned as exc:
            raise optuna.TrialPruned(str(exc)) from exc

    return run


def pipeline_builder(
    key: str,
    seed: int,
    *,
    resampling: Any = None,
    preprocessor: Any = None,
    description: Any = None,
    scorecard: Mapping[str, object] | None = None,
    class_weight: bool = False,
) -> Builder:
    """The training pipeline of `key` (preprocessing, optional resampling, model) with the
    trial's parameters set on the model step; `scorecard` (the settings' scorecard
    parameters) and `class_weight` (balanced weights for the rows of every fit) as `credit
    train` builds them (`modeling.build`)."""
    from credit_mlops.modeling.build import PipelineConfig, build_pipeline

    config = PipelineConfig(
        seed=seed,
        resampling=resampling,
        preprocessor=preprocessor,
        description=description,
        scorecard=dict(scorecard or {}),
        class_weight=class_weight,
    )

    def build(params: Mapping[str, Any]) -> Any:
        pipe = build_pipeline(key, config)
        pipe = pipe.set_params(**{f"model__{name}": value for name, value in params.items()})
        return _balanced(pipe) if class_weight else pipe

    return build


@cache
def _balanced_class() -> type:  # defined once, on first use: sklearn loads only then
    from sklearn.base import BaseEstimator, ClassifierMixin, clone

    from credit_mlops.modeling.weights import balance

    class Balanced(ClassifierMixin, BaseEstimator):
        """`model` fitted with balanced class weights for the rows of each fit (every fold
        and inner fold), as `credit train --class-weight` weighs every fit."""

        def __init__(self, model: Any) -> None:
            self.model = model

        def fit(self, X: Any, y: Any) -> Any:
            self.model_ = balance(clone(self.model), np.asarray(y)).fit(X, y)
            self.classes_ = self.model_.classes_
            return self

        def predict_proba(self, X: Any) -> Any:
            return self.model_.predict_proba(X)

        def predict(self, X: Any) -> Any:
            return self.model_.predict(X)

    return Balanced


def _balanced(model: Any) -> Any:
    return _balanced_class()(model)


def best_params(
    X: Any,
    y_bad: np.ndarray,
    key: str,
    space: Mapping[str, Param],
    objective: str,
    n_trials: int,
    seed: int,
    *,
    folds: int = 3,
    costs: CostMatrix | None = None,
    build: Builder | None = None,
) -> dict[str, Any]:
    """Tune `key` on (X, y_bad) (1 = bad credit) and return the best parameters found.

    Everything it sees is (X, y_bad): pass an outer fold's training rows only. Same inputs and
    seed give the same parameters. `build` defaults to the training pipeline without
    resampling; pass one to tune another pipeline.
    """
    import optuna

    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")
    if n_trials < 1:
        raise ValueError("n_trials must be at least 1")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    plan = plan_folds(X, y_bad, folds=folds, seed=seed)
    study = open_study(optuna.storages.InMemoryStorage(), "search", OBJECTIVES[objective], seed)
    run = trial_objective(
        space, build or pipeline_builder(key, seed), plan, objective=objective, costs=costs
    )
    study.optimize(run, n_trials=n_trials)
    return dict(study.best_params)
