"""The trial objective (fold-wise, pruned on request) and the plain in-memory search."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.schema import FEATURES, TARGET
from credit_mlops.modeling.build import target_bad
from credit_mlops.modeling.catalog import SPACES
from credit_mlops.modeling.cost_matrix import CostMatrix
from credit_mlops.modeling.search_spaces import FloatRange, IntRange
from credit_mlops.tune.objective import Pruned, decision_cost, evaluate, plan_folds
from credit_mlops.tune.search import best_params, pipeline_builder

pytestmark = pytest.mark.slow  # Optuna studies of fitted models


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    frame = synthetic(240, seed=5)
    return frame[list(FEATURES)], target_bad(frame[TARGET])


def test_decision_cost_counts_accepted_bads_five_times_and_rejected_goods_once() -> None:
    y_bad = np.array([1, 1, 0, 0, 0])
    reject = np.array([0, 1, 1, 0, 0])  # one bad accepted, one good rejected
    assert decision_cost(y_bad, reject, CostMatrix()) == pytest.approx((5 + 1) / 5)
    assert decision_cost(y_bad, reject, CostMatrix(accept_bad=2, reject_good=3)) == pytest.approx(
        1.0
    )
    assert decision_cost(y_bad, np.ones(5), CostMatrix()) == pytest.approx(3 / 5)  # reject everyone


def test_the_objective_reports_each_fold_and_stops_when_told(data: Any) -> None:
    X, y = data
    plan = plan_folds(X, y, folds=3, seed=1)
    build = pipeline_builder("logistic_regression", 1)
    seen: list[tuple[int, float]] = []

    def keep_going(step: int, value: float) -> bool:
        seen.append((step, value))
        return False

    score = evaluate(build, {"C": 1.0}, plan, objective="roc_auc", report=keep_going)
    assert [s for s, _ in seen] == [0, 1, 2]
    assert seen[-1][1] == pytest.approx(score)
    assert 0.5 < score <= 1.0

    calls: list[int] = []

    def stop_after_first(step: int, value: float) -> bool:
        calls.append(step)
        return True

    with pytest.raises(Pruned, match="after fold 1 of 3"):
        evaluate(build, {"C": 1.0}, plan, objective="roc_auc", report=stop_after_first)
    assert calls == [0]


def test_folds_never_include_their_own_test_rows_and_cover_every_row_once(data: Any) -> None:
    X, y = data
    plan = plan_folds(X, y, folds=4, seed=2)
    tested = np.concatenate([test for _, test in plan.splits])
    assert sorted(tested) == list(range(len(y)))
    for train, test in plan.splits:
        assert not set(train) & set(test)


def test_the_cost_objective_beats_rejecting_everyone_on_data_with_signal(data: Any) -> None:
    X, y = data
    plan = plan_folds(X, y, folds=3, seed=1)
    cost = evaluate(pipeline_builder("logistic_regression", 1), {"C": 1.0}, plan, objective="cost")
    reject_all = decision_cost(y, np.ones(len(y)), CostMatrix())
    assert 0.0 <= cost < reject_all


def test_the_trial_parameters_reach_the_model(data: Any) -> None:
    X, y = data
    built: list[Any] = []
    base = pipeline_builder("decision_tree", 0)

    def build(params: Mapping[str, Any]) -> Any:
        built.append(base(params))
        return built[-1]

    evaluate(build, {"max_depth": 2}, plan_folds(X, y, folds=2, seed=0), objective="roc_auc")
    assert [b.named_steps["model"].max_depth for b in built] == [2, 2]


def test_best_params_is_reproducible_and_inside_the_space(data: Any) -> None:
    X, y = data
    space = {"max_depth": IntRange(2, 6), "min_samples_leaf": IntRange(1, 30, log=True)}
    first = best_params(X, y, "decision_tree", space, "roc_auc", 6, seed=11, folds=2)
    again = best_params(X, y, "decision_tree", space, "roc_auc", 6, seed=11, folds=2)
    assert first == again
    assert 2 <= first["max_depth"] <= 6 and 1 <= first["min_samples_leaf"] <= 30


def test_best_params_minimises_cost(data: Any) -> None:
    X, y = data
    space = {"C": FloatRange(1e-3, 10.0, log=True)}
    found = best_params(X, y, "logistic_regression", space, "cost", 4, seed=3, folds=2)
    assert set(found) == {"C"} and 1e-3 <= found["C"] <= 10.0


def test_unknown_objective_and_zero_trials_are_refused(data: Any) -> None:
    X, y = data
    space = SPACES["logistic_regression"]
    with pytest.raises(ValueError, match="unknown objective 'accuracy'"):
        best_params(X, y, "logistic_regression", space, "accuracy", 2, seed=0)
    with pytest.raises(ValueError, match="at least 1"):
        best_params(X, y, "logistic_regression", space, "roc_auc", 0, seed=0)


@pytest.mark.parametrize("objective", ["roc_auc", "cost"])
def test_folds_fitted_at_once_give_the_same_scores_bit_for_bit(data: Any, objective: str) -> None:
    X, y = data
    plan = plan_folds(X, y, folds=5, seed=2)
    build = pipeline_builder("xgboost", 2)
    params = {"n_estimators": 60, "max_depth": 3, "subsample": 0.7, "colsample_bytree": 0.6}
    runs: dict[int, list[tuple[int, float]]] = {}
    scores = {}
    for n_jobs in (1, 2, 3):
        seen: list[tuple[int, float]] = []

        def keep(step: int, value: float, seen: list[tuple[int, float]] = seen) -> bool:
            seen.append((step, value))
            return False

        scores[n_jobs] = evaluate(
            build, params, plan, objective=objective, report=keep, n_jobs=n_jobs
        )
        runs[n_jobs] = seen
    assert scores[1] == scores[2] == scores[3]  # the same floats, not approximately
    assert runs[1] == runs[2] == runs[3]
    assert [s for s, _ in runs[2]] == [0, 1, 2, 3, 4]


def test_folds_fitted_at_once_stop_at_the_same_fold_when_pruned(data: Any) -> None:
    X, y = data
    plan = plan_folds(X, y, folds=5, seed=2)
    build = pipeline_builder("logistic_regression", 2)
    calls: list[int] = []

    def stop_at_third(step: int, value: float) -> bool:
        calls.append(step)
        return step == 2

    with pytest.raises(Pruned, match="after fold 3 of 5"):
        evaluate(build, {"C": 1.0}, plan, objective="roc_auc", report=stop_at_third, n_jobs=2)
    assert calls == [0, 1, 2]  # fold 3 may have run alongside, but is never reported
