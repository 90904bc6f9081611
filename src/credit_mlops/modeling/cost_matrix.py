"""The cost matrix of a credit decision, its Bayes threshold, and honest per-fold costs.

Labels: 1 is a bad credit (the positive class), 0 a good one; scores are P(bad); a row is
rejected when P(bad) >= threshold (scikit-learn's FixedThresholdClassifier uses the same rule).
Accepting a bad applicant costs `accept_bad`, rejecting a good one `reject_good`, per applicant.

Honesty: a threshold used to score a fold is chosen without that fold's test rows, either by a
rule that needs no data (the Bayes threshold, exact for calibrated probabilities) or on
out-of-fold predictions of the fold's training part (inner cross-validation).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

THRESHOLD_RULES: tuple[str, ...] = ("bayes", "cv")


@dataclass(frozen=True)
class CostMatrix:
    accept_bad: float = 5.0
    reject_good: float = 1.0

    def __post_init__(self) -> None:
        if not (self.accept_bad > 0 and self.reject_good > 0):
            raise ValueError("both costs must be positive")

    @classmethod
    def of_run(cls, params: Mapping[str, object]) -> CostMatrix:
        """The matrix a training run chose its threshold for, from its logged params (runs
        from before the cost settings used the Statlog matrix, 5 and 1)."""
        default = cls()
        return cls(
            float(str(params.get("cost__accept_bad", default.accept_bad))),
            float(str(params.get("cost__reject_good", default.reject_good))),
        )

    @property
    def bayes_threshold(self) -> float:
        """Reject when P(bad) * accept_bad >= (1 - P(bad)) * reject_good: 1/6 for 5 and 1."""
        return self.reject_good / (self.accept_bad + self.reject_good)

    def cost(self, y_bad: np.ndarray, reject: np.ndarray) -> float:
        """Mean cost per applicant of the decisions `reject` (1 = reject) for labels `y_bad`."""
        y = np.asarray(y_bad).astype(bool)
        r = np.asarray(reject).astype(bool)
        if y.shape != r.shape or y.size == 0:
            raise ValueError("labels and decisions must be non-empty and of equal length")
        false_accept = np.count_nonzero(y & ~r)
        false_reject = np.count_nonzero(~y & r)
        return float((self.accept_bad * false_accept + self.reject_good * false_reject) / y.size)

    def cost_at(self, y_bad: np.ndarray, proba_bad: np.ndarray, threshold: float) -> float:
        return self.cost(y_bad, np.asarray(proba_bad) >= threshold)

    def best_threshold(self, y_bad: np.ndarray, proba_bad: np.ndarray) -> float:
        """The threshold with the lowest cost on these rows; ties go to the lowest.

        Candidates are 0, 1 and every score. Only ever call it on rows the result will not
        be scored on: on a test fold it gives the optimistic bound, not an estimate.
        """
        y = np.asarray(y_bad).astype(bool)
        p = np.asarray(proba_bad, dtype=float)
        candidates = np.unique(np.concatenate([[0.0, 1.0], p]))
        bad = np.sort(p[y])
        good = np.sort(p[~y])
        # bad rows accepted at t: score < t; good rows rejected at t: score >= t
        false_accept = np.searchsorted(bad, candidates, side="left")
        false_reject = good.size - np.searchsorted(good, candidates, side="left")
        costs = self.accept_bad * false_accept + self.reject_good * false_reject
        return float(candidates[int(np.argmin(costs))])


def probability_scores(y_bad: np.ndarray, proba_bad: np.ndarray) -> dict[str, float]:
    """Brier score and log loss of P(bad): how far the probabilities are from the outcomes."""
    from sklearn.metrics import brier_score_loss, log_loss

    p = np.clip(np.asarray(proba_bad, dtype=float), 0.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # a fold with one class only
        return {
            "brier": float(brier_score_loss(y_bad, p)),
            "log_loss": float(log_loss(y_bad, p, labels=[0, 1])),
        }


def decision_scores(
    matrix: CostMatrix, y_bad: np.ndarray, proba_bad: np.ndarray, threshold: float
) -> dict[str, float]:
    """What one part (a fold's test or train rows) logs: cost at the threshold, Brier, log loss."""
    return {
        "expected_cost": matrix.cost_at(y_bad, proba_bad, threshold),
        **probability_scores(y_bad, proba_bad),
    }


def inner_oof(
    build: Callable[[], Any],
    X: Any,
    y_bad: np.ndarray,
    *,
    folds: int,
    seed: int,
) -> np.ndarray:
    """Out-of-fold P(bad) on these (training) rows by an inner stratified k-fold."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    proba = cross_val_predict(build(), X, y_bad, cv=splitter, method="predict_proba", n_jobs=1)
    return np.asarray(proba[:, 1], dtype=float)


def choose_threshold(
    rule: str,
    matrix: CostMatrix,
    *,
    oof: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None,
) -> float:
    """The decision threshold by `rule`, from training data only.

    `bayes` needs no data; `cv` asks `oof()` for (labels, out-of-fold P(bad)) of the training
    rows and picks the cheapest threshold on them.
    """
    if rule == "bayes":
        return matrix.bayes_threshold
    if rule == "cv":
        if oof is None:
            raise ValueError("the 'cv' threshold rule needs out-of-fold predictions")
        labels, proba = oof()
        return matrix.best_threshold(labels, proba)
    raise ValueError(f"unknown threshold rule {rule!r} (choose from: {', '.join(THRESHOLD_RULES)})")
