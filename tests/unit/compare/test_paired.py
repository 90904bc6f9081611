"""The Nadeau-Bengio corrected resampled t-test and the same-splits rule."""

from __future__ import annotations

import numpy as np
import pytest

from credit_mlops.compare.paired import (
    SPLIT_PARAMS,
    Contender,
    corrected_resampled_t_test,
    history_key,
    paired_note,
    same_splits,
    sentence,
)


def _reference_p(diffs: np.ndarray, n_train: int, n_test: int) -> float:
    """scikit-learn's example "Statistical comparison of models using grid search"
    (compute_corrected_ttest, one-sided), made two-sided."""
    from scipy.stats import t

    kr = len(diffs)
    corrected_std = np.sqrt(np.var(diffs, ddof=1) * (1 / kr + n_test / n_train))
    t_stat = np.mean(diffs) / corrected_std
    return float(2 * t.sf(np.abs(t_stat), kr - 1))


def test_matches_the_reference_formula_on_5x3_cv() -> None:
    rng = np.random.default_rng(1)
    a = 0.79 + rng.normal(0, 0.03, 15)
    b = a - 0.008 + rng.normal(0, 0.01, 15)
    result = corrected_resampled_t_test(a, b, folds=5)
    assert result.n == 15 and result.df == 14
    assert result.wins == int(np.sum(a > b))
    assert result.mean_difference == pytest.approx(float(np.mean(a - b)))
    # 5-fold CV on 800 rows: 640 train, 160 test, ratio 1/4 = 1/(k-1)
    assert result.p == pytest.approx(_reference_p(a - b, 640, 160), rel=1e-12)


def test_correction_is_more_cautious_than_the_plain_paired_t_test() -> None:
    from scipy.stats import ttest_rel

    rng = np.random.default_rng(2)
    a = 0.8 + rng.normal(0, 0.03, 15)
    b = a - 0.01 + rng.normal(0, 0.01, 15)
    plain = float(ttest_rel(a, b).pvalue)
    corrected = corrected_resampled_t_test(a, b, folds=5).p
    assert plain < 0.05 < corrected  # the naive test calls it real, the corrected one does not


def test_a_clear_difference_is_significant() -> None:
    rng = np.random.default_rng(3)
    a = 0.80 + rng.normal(0, 0.03, 15)
    b = a - 0.05 + rng.normal(0, 0.005, 15)
    result = corrected_resampled_t_test(a, b, folds=5)
    assert result.wins == 15 and result.p < 0.001 and result.t > 0


def test_lower_is_better_counts_wins_the_other_way() -> None:
    cost_a = [0.50, 0.52, 0.48, 0.55, 0.51]
    cost_b = [0.55, 0.50, 0.53, 0.60, 0.56]
    result = corrected_resampled_t_test(cost_a, cost_b, folds=5, higher_is_better=False)
    assert result.wins == 4
    higher = corrected_resampled_t_test(cost_a, cost_b, folds=5, higher_is_better=True)
    assert higher.wins == 1 and higher.p == result.p  # two-sided: same p either way


def test_identical_and_constant_differences() -> None:
    same = corrected_resampled_t_test([0.7, 0.8, 0.75], [0.7, 0.8, 0.75], folds=3)
    assert (same.p, same.t, same.wins) == (1.0, 0.0, 0)
    shifted = corrected_resampled_t_test([0.75, 0.5, 0.25], [0.5, 0.25, 0.0], folds=3)
    assert shifted.p == 0.0 and shifted.t == float("inf") and shifted.wins == 3


@pytest.mark.parametrize(
    ("a", "b", "folds", "message"),
    [
        ([0.1, 0.2], [0.1], 5, "1 fold scores|2 and 1"),
        ([0.1], [0.2], 5, "at least two folds"),
        ([0.1, 0.2], [0.1, 0.3], 1, "at least two folds"),
        ([0.1, float("nan")], [0.1, 0.3], 5, "missing"),
    ],
)
def test_refuses_what_cannot_be_paired(
    a: list[float], b: list[float], folds: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        corrected_resampled_t_test(a, b, folds=folds)


def test_same_splits_needs_every_split_param_equal() -> None:
    base = {
        "data_digest": "abc",
        "test_size": "0.3",
        "cv_folds": "5",
        "cv_repeats": "3",
        "random_seed": "42",
        "model_key": "xgboost",
    }
    assert same_splits(base, base | {"model_key": "scorecard"})
    assert same_splits(base, base | {"cv_folds": 5})  # params come back as strings
    for name in SPLIT_PARAMS:
        assert not same_splits(base, base | {name: "other"}), name
        assert not same_splits(base, {k: v for k, v in base.items() if k != name}), name


def test_sentence() -> None:
    result = corrected_resampled_t_test([0.8, 0.82, 0.79], [0.78, 0.8, 0.8], folds=3)
    text = sentence("scorecard", "xgboost", result)
    assert text.startswith("scorecard better than xgboost in 2 of 3 folds, p = ")
    assert "within noise" in text


def _params(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "data_digest": "d1",
        "test_size": "0.3",
        "cv_folds": "5",
        "cv_repeats": "3",
        "random_seed": "42",
    }
    return base | changes


def test_paired_note_on_the_same_splits() -> None:
    rng = np.random.default_rng(4)
    a = list(0.80 + rng.normal(0, 0.03, 15))
    b = [x - 0.004 + float(rng.normal(0, 0.01)) for x in a]
    note = paired_note(
        Contender("scorecard", _params(), a),
        Contender("xgboost", _params(), b),
        "roc_auc_test_mean",
        higher_is_better=True,
    )
    expected = corrected_resampled_t_test(a, b, folds=5)
    assert note == (
        f"scorecard better than xgboost in {expected.wins} of 15 folds, p = {expected.p:.3g} "
        "(corrected resampled t-test on the same splits): the difference is within noise, "
        "on roc_auc_test"
    )


def test_no_paired_note_without_the_same_splits_or_all_folds() -> None:
    folds = [0.8] * 15
    cases = [
        (_params(), _params(random_seed="7"), folds, folds),  # different splits
        (_params(), _params(), folds, None),  # a run without fold history (older runs)
        (_params(), _params(), folds, folds[:14]),  # a fold missing
    ]
    for pa, pb, fa, fb in cases:
        assert (
            paired_note(
                Contender("a", pa, fa),
                Contender("b", pb, fb),
                "roc_auc_test_mean",
                higher_is_better=True,
            )
            is None
        )


def test_history_key() -> None:
    assert history_key("roc_auc_test_mean") == "roc_auc_test"
    assert history_key("expected_cost_test_mean") == "expected_cost_test"
