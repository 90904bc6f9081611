"""The cost matrix, its Bayes threshold, the cheapest threshold and the threshold rules."""

from __future__ import annotations

import numpy as np
import pytest

from credit_mlops.modeling.cost_matrix import (
    CostMatrix,
    choose_threshold,
    decision_scores,
    probability_scores,
)


def _exhaustive(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """The reference: every candidate cut tried, 5 per accepted bad and 1 per rejected good;
    the lowest cost, ties to the lowest cut. Returns (threshold, its cost)."""
    best = (float("inf"), 0.0)
    for t in np.unique(np.concatenate([[0.0, 1.0], p])):
        reject = p >= t
        cost = (5.0 * np.sum((y == 1) & ~reject) + np.sum((y == 0) & reject)) / len(y)
        best = min(best, (float(cost), float(t)))
    return best[1], best[0]


def test_bayes_threshold_of_the_german_credit_matrix() -> None:
    assert CostMatrix().bayes_threshold == pytest.approx(1 / 6)
    assert CostMatrix(accept_bad=3, reject_good=1).bayes_threshold == pytest.approx(0.25)


def test_cost_counts_each_error_at_its_price() -> None:
    y = np.array([1, 1, 0, 0, 0])  # two bad, three good
    reject = np.array([1, 0, 1, 0, 0])  # one bad accepted, one good rejected
    assert CostMatrix().cost(y, reject) == pytest.approx((5 + 1) / 5)
    assert CostMatrix().cost(y, np.ones(5)) == pytest.approx(3 / 5)  # reject everyone
    assert CostMatrix().cost(y, np.zeros(5)) == pytest.approx(10 / 5)  # accept everyone


def test_cost_at_rejects_at_or_above_the_threshold() -> None:
    y = np.array([1, 0])
    assert CostMatrix().cost_at(y, np.array([0.2, 0.2]), 0.2) == pytest.approx(0.5)
    assert CostMatrix().cost_at(y, np.array([0.2, 0.2]), 0.21) == pytest.approx(2.5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_threshold_agrees_with_the_exhaustive_search(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.random(400) < 0.3).astype(int)
    p = np.clip(0.3 * y + rng.random(400) * 0.7, 0, 1).round(2)  # ties on purpose
    fast = CostMatrix().best_threshold(y, p)
    threshold, cost = _exhaustive(y, p)
    assert fast == pytest.approx(threshold)
    assert CostMatrix().cost_at(y, p, fast) == pytest.approx(cost)


def test_invalid_costs_and_mismatched_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        CostMatrix(accept_bad=0)
    with pytest.raises(ValueError, match="equal length"):
        CostMatrix().cost(np.array([1, 0]), np.array([1]))


def test_threshold_rules() -> None:
    matrix = CostMatrix()
    assert choose_threshold("bayes", matrix) == pytest.approx(1 / 6)
    y = np.array([1, 1, 0, 0, 0, 0])
    p = np.array([0.9, 0.4, 0.35, 0.1, 0.05, 0.0])
    asked: list[bool] = []

    def oof() -> tuple[np.ndarray, np.ndarray]:
        asked.append(True)
        return y, p

    assert choose_threshold("bayes", matrix, oof=oof) == pytest.approx(1 / 6) and not asked
    assert choose_threshold("cv", matrix, oof=oof) == pytest.approx(0.4) and asked
    with pytest.raises(ValueError, match="needs out-of-fold"):
        choose_threshold("cv", matrix)
    with pytest.raises(ValueError, match="unknown threshold rule"):
        choose_threshold("median", matrix)


def test_probability_and_decision_scores() -> None:
    y = np.array([1, 0, 0, 1])
    perfect = probability_scores(y, y.astype(float))
    assert perfect["brier"] == pytest.approx(0.0) and perfect["log_loss"] < 1e-6
    half = decision_scores(CostMatrix(), y, np.full(4, 0.5), 1 / 6)
    assert half == pytest.approx({"expected_cost": 0.5, "brier": 0.25, "log_loss": np.log(2)})
