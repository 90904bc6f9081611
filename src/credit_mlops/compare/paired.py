"""Is a difference between two runs real? The corrected resampled t-test for repeated CV.

Two runs cross-validated on the same splits (same rows, folds, repeats and seed) can be
compared fold by fold. The folds of repeated k-fold CV overlap in their training rows, so
the plain paired t-test is far too confident; Nadeau and Bengio (2003, "Inference for the
generalization error", Machine Learning 52) correct the variance by the test/train size
ratio, and Bouckaert and Frank (2004) apply it to r x k-fold CV:

    t = mean(d) / sqrt((1 / n + n_test / n_train) * var(d)),  n = r * k,  df = n - 1,

with d the per-fold differences and n_test / n_train = 1 / (k - 1) for k-fold CV.
Runs with different splits cannot be paired; the caller falls back to the std rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The params that fix the splits of `credit train`: the same values give the same folds.
SPLIT_PARAMS: tuple[str, ...] = (
    "data_digest",
    "test_size",
    "cv_folds",
    "cv_repeats",
    "random_seed",
)


@dataclass(frozen=True)
class PairedTest:
    """The outcome of comparing A with B fold by fold (A minus B, in the better direction)."""

    n: int  # folds compared
    wins: int  # folds where A was strictly better than B
    mean_difference: float  # mean of A - B (raw, not direction-adjusted)
    t: float
    p: float  # two-sided
    df: int


def same_splits(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two runs' params say they were cross-validated on the same folds."""
    return all(name in a and name in b and str(a[name]) == str(b[name]) for name in SPLIT_PARAMS)


def corrected_resampled_t_test(
    a: Sequence[float],
    b: Sequence[float],
    *,
    folds: int,
    higher_is_better: bool = True,
) -> PairedTest:
    """Nadeau-Bengio corrected paired t-test of per-fold scores `a` and `b` (same folds).

    `folds` is k of the r x k-fold CV (test/train ratio 1 / (k - 1)). Raises ValueError
    when the score lists differ in length, have fewer than two folds, or k < 2.
    """
    from scipy import stats

    if len(a) != len(b):
        raise ValueError(f"the runs have {len(a)} and {len(b)} fold scores; pair equal folds")
    n = len(a)
    if n < 2:
        raise ValueError(f"a paired test needs at least two folds (got {n})")
    if folds < 2:
        raise ValueError(f"k-fold CV needs at least two folds (got {folds})")
    diffs = [float(x) - float(y) for x, y in zip(a, b, strict=True)]
    if any(math.isnan(d) for d in diffs):
        raise ValueError("a fold score is missing (NaN); the runs cannot be paired")
    sign = 1.0 if higher_is_better else -1.0
    wins = sum(1 for d in diffs if sign * d > 0)
    mean = sum(diffs) / n
    var = sum((d - mean) ** 2 for d in diffs) / (n - 1)
    scale = math.sqrt((1.0 / n + 1.0 / (folds - 1)) * var)
    if scale == 0.0:
        t = 0.0 if mean == 0.0 else math.copysign(math.inf, mean)
        p = 1.0 if mean == 0.0 else 0.0
    else:
        t = mean / scale
        p = float(2.0 * stats.t.sf(abs(t), df=n - 1))
    return PairedTest(n=n, wins=wins, mean_difference=mean, t=t, p=p, df=n - 1)


def sentence(name_a: str, name_b: str, test: PairedTest, *, alpha: float = 0.05) -> str:
    """'A better than B in k of n folds, p = ...', and whether that is within noise."""
    verdict = "the difference is within noise" if test.p >= alpha else "a real difference"
    return (
        f"{name_a} better than {name_b} in {test.wins} of {test.n} folds, "
        f"p = {test.p:.3g} (corrected resampled t-test on the same splits): {verdict}"
    )


def history_key(primary: str) -> str:
    """The metric whose history holds the per-fold values of `primary` (step = fold index):
    roc_auc_test_mean -> roc_auc_test."""
    return primary.removesuffix("_mean")


@dataclass(frozen=True)
class Contender:
    """One of the two runs a note compares: its name, params and per-fold values (or None)."""

    name: str
    params: Mapping[str, Any]
    folds: Sequence[float] | None


def paired_note(a: Contender, b: Contender, primary: str, *, higher_is_better: bool) -> str | None:
    """The paired sentence when `a` and `b` were cross-validated on the same splits and
    both logged every fold; None otherwise (the caller keeps the std rule)."""
    if not same_splits(a.params, b.params) or a.folds is None or b.folds is None:
        return None
    expected = int(a.params["cv_folds"]) * int(a.params["cv_repeats"])
    if len(a.folds) != expected or len(b.folds) != expected:
        return None
    test = corrected_resampled_t_test(
        a.folds, b.folds, folds=int(a.params["cv_folds"]), higher_is_better=higher_is_better
    )
    return f"{sentence(a.name, b.name, test)}, on {history_key(primary)}"
