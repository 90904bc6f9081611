"""What one trial measures: the model with the trial's parameters, cross-validated fold by
fold on the training part only, each fold's score reported as it comes (for the pruner).

`roc_auc` is maximised. `cost` (expected cost per applicant, accept-bad and reject-good costs
from the settings) is minimised, and each fold's decision threshold is chosen by
`TunedThresholdClassifierCV` on that fold's training rows alone (inner cross-validation),
never on the rows it is scored on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from credit_mlops.modeling.cost_matrix import CostMatrix

ObjectiveName = Literal["roc_auc", "cost"]
OBJECTIVES: dict[str, str] = {"roc_auc": "maximize", "cost": "minimize"}
# The values a trial of each objective can have: a mean ROC AUC, a mean cost per applicant.
VALUE_RANGES: dict[str, tuple[float, float]] = {"roc_auc": (0.0, 1.0), "cost": (0.0, math.inf)}


def value_problem(objective: object, value: object) -> str | None:
    """Why `value` is no trial value of `objective` (a study's recorded objective, or None
    when it records none: then any finite number passes); None when it can be one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"the value {value!r} is not a number"
    if not math.isfinite(value):
        return f"the value {value} is not a finite number"
    low, high = VALUE_RANGES.get(str(objective), (-math.inf, math.inf))
    if not low <= value <= high:
        span = f"[{low:g}, {high:g}]" if math.isfinite(high) else f"{low:g} or more"
        return f"the value {value!r} is outside what {objective} gives ({span})"
    return None


# (fold index, running mean after that fold) -> True when the trial should stop (pruned).
Report = Callable[[int, float], bool]
# trial parameters -> an unfitted estimator (the whole pipeline) with those parameters.
Builder = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class FoldPlan:
    """The training part's features and bad-credit labels (1 = bad) and fixed folds, the
    same for every trial so that the pruner compares like with like."""

    X: Any
    y: np.ndarray
    splits: tuple[tuple[np.ndarray, np.ndarray], ...]
    inner_folds: int = 3


class Pruned(Exception):
    """Raised when `report` asks to stop; the caller turns it into Optuna's TrialPruned."""


def plan_folds(X: Any, y: np.ndarray, *, folds: int, seed: int, inner_folds: int = 3) -> FoldPlan:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    y = np.asarray(y)
    splits = tuple(splitter.split(np.zeros(len(y)), y))
    return FoldPlan(X=X, y=y, splits=splits, inner_folds=inner_folds)


def decision_cost(y_bad: np.ndarray, reject: np.ndarray, costs: CostMatrix) -> float:
    """Mean cost per applicant of accept/reject decisions (1 = reject): a scorer's function."""
    return costs.cost(y_bad, reject)


def _cost_scorer(costs: CostMatrix) -> Any:
    from sklearn.metrics import make_scorer

    return make_scorer(
        decision_cost, response_method="predict", greater_is_better=False, costs=costs
    )


def _fold_score(model: Any, plan: FoldPlan, fold: int, objective: str, costs: CostMatrix) -> float:
    from sklearn.metrics import roc_auc_score

    train, test = plan.splits[fold]
    X_train, X_test = plan.X.iloc[train], plan.X.iloc[test]
    if objective == "cost":
        from sklearn.model_selection import TunedThresholdClassifierCV

        model = TunedThresholdClassifierCV(
            model, scoring=_cost_scorer(costs), cv=plan.inner_folds, n_jobs=1
        )
        model.fit(X_train, plan.y[train])
        return decision_cost(plan.y[test], model.predict(X_test), costs)
    model.fit(X_train, plan.y[train])
    return float(roc_auc_score(plan.y[test], model.predict_proba(X_test)[:, 1]))


def _scores(
    build: Builder,
    params: Mapping[str, Any],
    plan: FoldPlan,
    objective: str,
    costs: CostMatrix,
    n_jobs: int,
) -> Generator[float, None, None]:
    """Each fold's score in fold order; with `n_jobs` > 1, that many folds are fitted at once
    in threads (the model fits release the GIL). Every fold has its own fresh model, so the
    scores are the same whatever `n_jobs`."""
    n_folds = len(plan.splits)
    if n_jobs <= 1:
        for fold in range(n_folds):
            yield _fold_score(build(params), plan, fold, objective, costs)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        for first in range(0, n_folds, n_jobs):
            batch = [
                pool.submit(_fold_score, build(params), plan, fold, objective, costs)
                for fold in range(first, min(first + n_jobs, n_folds))
            ]
            for future in batch:
                yield future.result()


def evaluate(
    build: Builder,
    params: Mapping[str, Any],
    plan: FoldPlan,
    *,
    objective: str,
    costs: CostMatrix | None = None,
    report: Report | None = None,
    n_jobs: int = 1,
) -> float:
    """The mean fold score of `params`; raises `Pruned` when `report` says so. Scores are
    reported in fold order and the first "prune" stops the trial, whatever `n_jobs`."""
    from threadpoolctl import threadpool_limits

    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}")
    costs = costs or CostMatrix()
    scores: list[float] = []
    with threadpool_limits(limits=1):
        folds = _scores(build, params, plan, objective, costs, n_jobs)
        try:
            for fold, score in enumerate(folds):
                scores.append(score)
                if report is not None and report(fold, float(np.mean(scores))):
                    raise Pruned(f"pruned after fold {fold + 1} of {len(plan.splits)}")
        finally:
            folds.close()  # a pruned trial waits for the folds already running
    return float(np.mean(scores))
