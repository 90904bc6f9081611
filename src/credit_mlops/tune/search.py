"""The core search as plain functions: an Optuna objective from a space and fold plan, and
`best_params`, which tunes one model in memory (no storage, no tracking) and can be nested
inside outer cross-validation folds without ever seeing their test rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
) -> Builder:
    """The training pipeline of `key` (preprocessing, optional resampling, model) with the
    trial's parameters set on the model step."""
    from credit_mlops.modeling.build import PipelineConfig, build_pipeline

    config = PipelineConfig(
        seed=seed, resampling=resampling, preprocessor=preprocessor, description=description
    )

    def build(params: Mapping[str, Any]) -> Any:
        pipe = build_pipeline(key, config)
        return pipe.set_params(**{f"model__{name}": value for name, value in params.items()})

    return build


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
