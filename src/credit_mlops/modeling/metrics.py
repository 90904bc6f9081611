"""Metrics, the German credit cost matrix and the cost-optimal threshold.

Labels: 1 is a bad credit (the positive class), 0 a good one. Scores are probabilities of bad.
"""

from __future__ import annotations

import warnings

import numpy as np

METRICS: tuple[str, ...] = (
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "average_precision",
    "geometric_mean",
)
# Statlog German Credit: accepting a bad applicant costs 5, rejecting a good one costs 1.
COST_FALSE_ACCEPT = 5.0
COST_FALSE_REJECT = 1.0


def score(y_true: np.ndarray, proba_bad: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    from imblearn.metrics import geometric_mean_score
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    y_true = np.asarray(y_true)
    pred = (np.asarray(proba_bad) >= threshold).astype(np.int64)
    with warnings.catch_warnings():
        # A fold that predicts no bad at all has undefined precision: reported as 0.
        warnings.simplefilter("ignore", category=UserWarning)
        return {
            "accuracy": float(accuracy_score(y_true, pred)),
            "precision": float(precision_score(y_true, pred, zero_division=0)),
            "recall": float(recall_score(y_true, pred, zero_division=0)),
            "f1": float(f1_score(y_true, pred, zero_division=0)),
            "roc_auc": float(roc_auc_score(y_true, proba_bad)),
            "average_precision": float(average_precision_score(y_true, proba_bad)),
            "geometric_mean": float(geometric_mean_score(y_true, pred)),
        }


def brier(y_true: np.ndarray, proba_bad: np.ndarray) -> float:
    from sklearn.metrics import brier_score_loss

    return float(brier_score_loss(y_true, proba_bad))


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
