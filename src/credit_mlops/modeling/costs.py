"""The German credit cost matrix, expected cost and the cost-optimal threshold.

Labels: 1 is a bad credit (the positive class), 0 a good one. Scores are probabilities of bad.
"""

from __future__ import annotations

import numpy as np

# Statlog German Credit: accepting a bad applicant costs 5, rejecting a good one costs 1.
COST_FALSE_ACCEPT = 5.0


COST_FALSE_REJECT = 1.0


def expected_cost(y_true: np.ndarray, proba_bad: np.ndarray, threshold: float) -> float:
    """Mean cost per applicant: reject when P(bad) >= threshold."""
    y_true = np.asarray(y_true)
    reject = np.asarray(proba_bad) >= threshold
    false_accept = np.sum((y_true == 1) & ~reject)
    false_reject = np.sum((y_true == 0) & reject)
    return float(
        (COST_FALSE_ACCEPT * false_accept + COST_FALSE_REJECT * false_reject) / len(y_true)
    )


def cost_optimal_threshold(y_true: np.ndarray, proba_bad: np.ndarray) -> float:
    """The threshold with the lowest expected cost on (training) data; ties go to the lowest."""
    candidates = np.unique(np.concatenate([[0.0, 1.0], np.asarray(proba_bad, dtype=float)]))
    costs = [expected_cost(y_true, proba_bad, t) for t in candidates]
    return float(candidates[int(np.argmin(costs))])
