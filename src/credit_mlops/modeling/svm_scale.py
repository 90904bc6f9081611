"""How the exact RBF SVM's cost grows with the rows, and the row limit that follows.

Cheap to import (no scikit-learn): the settings take their default from here and the
training workflow checks the limit before any data is fitted or any run is created.

The growth law is the CPU time of one CV fold task of the `svm` key (preprocess +
BorderlineSMOTE + CalibratedClassifierCV(SVC rbf, cv=5) fitted on the fold's training rows,
then predict_proba on its test and training rows), single-threaded:

    cpu_seconds = FOLD_SECONDS_AT_10K * (fold_rows / 10,000) ** GROWTH_EXPONENT

Fitted by `benchmarks/svm_limit.py` on `credit data synth` rows, pinned to one core of this
2-core machine while other jobs loaded it (CPU seconds, not wall: the sharing inflates them
less). Measured: 1,600 / 4,000 / 8,000 / 16,000 fold rows took 1.7 / 7.6 / 30.1 / 150.4 CPU
seconds; the slope steepens with the rows (1.6, then 2.0, then 2.3), so the constants are
the law through the two largest sizes, the nearest to the limit (over all four: 1.9).
Re-measure on a quiet machine with `python benchmarks/svm_limit.py` and copy its two
constants here.
"""

from __future__ import annotations

FOLD_SECONDS_AT_10K = 50.5  # CPU s of one fold task at 10,000 fold training rows
GROWTH_EXPONENT = 2.32  # log-log slope between 8,000 and 16,000 fold rows
BUDGET_SECONDS = 600.0  # one CV fit longer than this is refused (issue 12: ~10 minutes)
APPROX_FLAG = "--svm-approx"


def fold_rows(train_rows: int, folds: int) -> int:
    """The rows one CV fit trains on: (folds - 1) / folds of the training part."""
    return train_rows * (folds - 1) // folds


def fold_seconds(train_rows: int, folds: int) -> float:
    """Estimated CPU seconds of one CV fit of the exact RBF SVM on `train_rows` rows."""
    rows = max(fold_rows(train_rows, folds), 1)
    return FOLD_SECONDS_AT_10K * (rows / 10_000) ** GROWTH_EXPONENT


def default_max_rows(folds: int = 5) -> int:
    """Training rows at which one CV fit (of `folds`) reaches BUDGET_SECONDS, rounded down."""
    fold_limit = 10_000 * (BUDGET_SECONDS / FOLD_SECONDS_AT_10K) ** (1 / GROWTH_EXPONENT)
    rows = fold_limit * folds / (folds - 1)
    return int(rows // 1_000 * 1_000)


def duration(seconds: float) -> str:
    if seconds < 1:
        return "under 1 s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7_200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3_600:.1f} h"


def refusal(train_rows: int, limit: int, folds: int) -> str:
    """The one line `credit train --model svm` stops with above the limit."""
    estimate = duration(fold_seconds(train_rows, folds))
    return (
        f"svm on {train_rows:,} training rows is above train.svm_max_rows = {limit:,}: "
        f"one CV fit of the exact RBF SVM would take about {estimate} here; "
        f"use {APPROX_FLAG} (Nystroem + linear SVM), subsample the data, "
        "or raise train.svm_max_rows (CREDIT_TRAIN__SVM_MAX_ROWS)"
    )


def skip_note(train_rows: int, limit: int, folds: int) -> str:
    """The note when svm is one of several models and is left out above the limit."""
    estimate = duration(fold_seconds(train_rows, folds))
    return (
        f"svm skipped: {train_rows:,} training rows is above train.svm_max_rows = {limit:,} "
        f"(one CV fit would take about {estimate}); train it with {APPROX_FLAG}, "
        "on a subsample, or raise train.svm_max_rows"
    )
