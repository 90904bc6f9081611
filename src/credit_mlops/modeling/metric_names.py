"""Metric names and their labels, defined once (cheap to import: no numpy, no sklearn).

Cross-validation logs `<name>_{test,train}_{mean,std}` for each of METRICS; the summary,
the comparison table and the evaluation table label them from here.
"""

from __future__ import annotations

METRICS: tuple[str, ...] = (
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "average_precision",
    "geometric_mean",
)
# Also logged as `<name>_{test,train}_{mean,std}`: the cost of the model's own decision (its
# threshold chosen without the fold's test rows), and how good P(bad) is as a probability.
DECISION_METRICS: tuple[str, ...] = ("expected_cost", "brier", "log_loss")

# `credit train`'s summary table, in its column order.
SUMMARY_LABELS: dict[str, str] = {
    "roc_auc": "ROC AUC",
    "expected_cost": "cost",
    "average_precision": "avg prec",
    "f1": "F1",
    "recall": "recall",
    "precision": "precision",
    "accuracy": "accuracy",
    "geometric_mean": "G-mean",
}

# `credit compare`'s secondary metric columns: (name, label, priority on a narrow terminal;
# the lowest is dropped first).
COMPARE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("expected_cost", "cost", 8),
    ("f1", "f1", 8),
    ("recall", "recall", 7),
    ("precision", "precision", 7),
    ("accuracy", "accuracy", 5),
    ("average_precision", "avg prec", 6),
    ("geometric_mean", "G-mean", 5),
)

# `credit evaluate`'s table: the metrics at 0.5, then the evaluation's own figures.
EVALUATION_LABELS: tuple[tuple[str, str], ...] = (
    ("roc_auc", "ROC AUC"),
    ("average_precision", "average precision"),
    ("f1", "F1 @0.5"),
    ("recall", "recall @0.5"),
    ("precision", "precision @0.5"),
    ("accuracy", "accuracy @0.5"),
    ("geometric_mean", "G-mean @0.5"),
    ("brier", "Brier score"),
    ("expected_cost_at_0_5", "expected cost @0.5"),
    ("expected_cost_at_threshold", "expected cost @threshold"),
    ("threshold", "threshold"),
)


def test_mean(name: str) -> str:
    """The logged name of a metric's mean over test folds, e.g. roc_auc_test_mean."""
    return f"{name}_test_mean"


def lower_is_better(metric: str) -> bool:
    return any(word in metric for word in ("cost", "brier", "_std", "loss"))
