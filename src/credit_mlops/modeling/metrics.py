"""Classification metrics of P(bad) scores (the cost side is in `costs`).

Labels: 1 is a bad credit (the positive class), 0 a good one. Scores are probabilities of bad.
"""

from __future__ import annotations

import warnings

import numpy as np

# what `score` gives: each between 0 and 1, and so is every summary of them (the mean and the
# standard deviation over the folds, a holdout value) logged as <name>_<part>_<statistic>
UNIT_SCORES = (
    "accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "geometric_mean"
)  # fmt: skip


def outside_unit(name: str, value: float) -> bool:
    """A logged score (by its name) whose value no score takes: below 0 or above 1."""
    scored = any(name.startswith(f"{s}_") for s in UNIT_SCORES)
    return scored and not (value != value or 0.0 <= value <= 1.0)  # NaN: folds that failed


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
