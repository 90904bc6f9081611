"""What oversampling costs as the rows grow, and the row limit above which it is refused.

BorderlineSMOTE looks up each bad applicant's m nearest neighbours among all training rows
(and k among the bad ones). On the one-hot features (45 columns) scikit-learn's neighbour
search is brute force, so one fit_resample costs about rows**2: measured (issue 12) with
`credit data synth --rows 1000000 --seed 1`, the builtin preprocessing and
BorderlineSMOTE(k=5, m=10), single-threaded CPU seconds on this 2-core machine while it was
shared (so rough): 10k rows 0.19 s, 20k 0.75 s, 50k 4.0 s, 100k 15.9 s, 200k 67.1 s. The
least-squares line through log(seconds) against log(rows) has slope 1.95 and passes through
16.5 s at 100k: the constants below (1M rows extrapolates to ~1,470 s for one oversampling).
A class-weighted logistic regression on the same rows took 0.03-0.92 s: class weights add
nothing to the fit, so they are the remedy that scales.
"""

from __future__ import annotations

SECONDS_AT_100K = 16.5  # one BorderlineSMOTE fit_resample of 100,000 rows, CPU seconds (fit)
EXPONENT = 1.95  # log-log slope of that time against rows, 10k..200k (measured, see above)
LIMIT_SECONDS = 600.0  # a CV's oversampling over ~10 minutes is refused (the default limit)


def resample_seconds(rows: int) -> float:
    """Estimated CPU seconds of one oversampling of `rows` training rows."""
    return SECONDS_AT_100K * (max(rows, 1) / 100_000) ** EXPONENT


def cv_seconds(train_rows: int, *, folds: int, repeats: int, evaluate: bool = True) -> float:
    """Estimated CPU seconds of all oversampling one `credit train` does for one model:
    each CV fold's training part ((folds-1)/folds of the rows) and the final fit."""
    fold_rows = train_rows * (folds - 1) // folds
    cv = folds * repeats * resample_seconds(fold_rows) if evaluate else 0.0
    return cv + resample_seconds(train_rows)


def default_limit() -> int:
    """The largest training-row count whose default 5x3 CV oversampling stays under
    LIMIT_SECONDS (rounded down to 10,000 rows): the default of `train.smote_max_rows`."""
    low, high = 1_000, 100_000_000
    while high - low > 1:
        mid = (low + high) // 2
        if cv_seconds(mid, folds=5, repeats=3) <= LIMIT_SECONDS:
            low = mid
        else:
            high = mid
    return low // 10_000 * 10_000
