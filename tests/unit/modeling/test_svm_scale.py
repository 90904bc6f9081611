"""The exact SVM's growth law, its default row limit, and the approximation's kernel."""

from __future__ import annotations

import numpy as np
import pytest

from credit_mlops.config.train import TrainSettings
from credit_mlops.modeling import svm_scale
from credit_mlops.modeling.kernel_approx import ScaledNystroem


def test_default_limit_is_where_one_cv_fit_reaches_the_budget() -> None:
    limit = svm_scale.default_max_rows()
    assert TrainSettings().svm_max_rows == limit
    assert svm_scale.fold_seconds(limit, 5) <= svm_scale.BUDGET_SECONDS
    assert svm_scale.fold_seconds(limit + 1_000, 5) > svm_scale.BUDGET_SECONDS


def test_estimate_grows_with_the_fitted_exponent() -> None:
    ratio = svm_scale.fold_seconds(100_000, 5) / svm_scale.fold_seconds(10_000, 5)
    assert np.isclose(ratio, 10**svm_scale.GROWTH_EXPONENT)
    assert svm_scale.duration(90) == "90 s"
    assert svm_scale.duration(1_800) == "30 min"
    assert svm_scale.duration(36_000) == "10.0 h"


@pytest.mark.slow
def test_nystroem_gamma_is_svcs_scale_and_seeded() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(0, 2.0, size=(300, 6))
    a = ScaledNystroem(n_components=50, random_state=1).fit(X)
    assert np.isclose(a.gamma_, 1.0 / (6 * X.var()))
    features = a.transform(X)
    assert features.shape == (300, 50)
    again = ScaledNystroem(n_components=50, random_state=1).fit(X).transform(X)
    assert np.array_equal(features, again)
    assert ScaledNystroem(n_components=500).fit(X).transform(X).shape == (300, 300)


def test_limit_refuses_svm_alone_and_skips_it_among_others() -> None:
    import pytest

    from credit_mlops.errors import InputError
    from credit_mlops.train import limits

    cfg = TrainSettings(svm_max_rows=1_000)
    assert limits.apply_svm_limit(cfg, ["svm"], 1_000) == (["svm"], [])  # at the limit: trains
    with pytest.raises(InputError, match=r"svm on 1,001 training rows .* = 1,000"):
        limits.apply_svm_limit(cfg, ["svm"], 1_001)
    keys, notes = limits.apply_svm_limit(cfg, ["xgboost", "svm"], 5_000)
    assert keys == ["xgboost"] and notes[0].startswith("svm skipped: 5,000 training rows")
    approx = TrainSettings(svm_max_rows=1_000, svm_approx=True)
    assert limits.apply_svm_limit(approx, ["svm"], 10**6) == (["svm"], [])
    tuned = {"svm": {"estimator__C": 2.0, "estimator__gamma": 0.1}}
    with pytest.raises(InputError, match=r"estimator__C, estimator__gamma.*--svm-approx"):
        limits.apply_svm_limit(approx, ["svm"], 100, tuned)
    exact = limits.apply_svm_limit(cfg, ["svm"], 100, tuned)
    assert exact == (["svm"], [])  # the exact one takes them
    unlimited = TrainSettings(svm_max_rows=0)  # 0 is no limit, as for train.smote_max_rows
    assert limits.apply_svm_limit(unlimited, ["svm"], 10**6) == (["svm"], [])
