"""Metrics and the German credit cost matrix."""

from __future__ import annotations

import numpy as np
import pytest

from credit_mlops.modeling.cost_matrix import CostMatrix
from credit_mlops.modeling.metric_names import METRICS
from credit_mlops.modeling.metrics import score


def test_perfect_scores() -> None:
    y = np.array([0, 0, 1, 1])
    result = score(y, np.array([0.1, 0.2, 0.8, 0.9]))
    assert set(result) == set(METRICS)
    assert all(v == pytest.approx(1.0) for v in result.values())


def test_threshold_changes_the_decisions() -> None:
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.6, 0.7, 0.9])
    assert score(y, p)["precision"] == pytest.approx(2 / 3)
    assert score(y, p, threshold=0.65)["precision"] == pytest.approx(1.0)


def test_expected_cost_counts_false_accepts_five_times() -> None:
    y = np.array([1, 0, 0, 0])  # one bad applicant
    accept_all = np.zeros(4)
    reject_all = np.ones(4)
    assert CostMatrix().cost_at(y, accept_all, 0.5) == pytest.approx(5 / 4)
    assert CostMatrix().cost_at(y, reject_all, 0.5) == pytest.approx(3 / 4)


def test_cost_optimal_threshold_minimises_cost() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    p = np.clip(y * 0.3 + rng.random(500) * 0.7, 0, 1)
    matrix = CostMatrix()
    t = matrix.best_threshold(y, p)
    grid = np.linspace(0, 1, 101)
    assert matrix.cost_at(y, p, t) <= min(matrix.cost_at(y, p, g) for g in grid) + 1e-12
    assert t < 0.5  # a false accept costs 5x: the cut moves towards rejecting
