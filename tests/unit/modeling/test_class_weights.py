"""Class weights set at fit time, and the oversampling cost model behind the row limit."""

from __future__ import annotations

import numpy as np
import pytest

from credit_mlops.modeling import oversampling_cost, weights
from credit_mlops.modeling.build import PipelineConfig, build_model, weighted


def test_positive_weight_is_negatives_over_positives() -> None:
    assert weights.positive_weight(np.array([0, 0, 0, 1])) == 3.0
    assert weights.positive_weight(np.array([1, 1, 0])) == 0.5
    assert weights.positive_weight(np.zeros(5)) == 1.0  # one class only: no reweighting


def test_balance_reaches_every_member_and_leaves_the_scorecard_alone() -> None:
    y = np.array([0] * 7 + [1] * 3)
    config = PipelineConfig(seed=0, resampling=None, class_weight=True)
    vote = weighted(build_model("ensemble", config), config, y).get_params(deep=True)
    members = {k: v for k, v in vote.items() if k.endswith(("class_weight", "scale_pos_weight"))}
    assert members  # logistic regression, random forest and xgboost are the default members
    for name, value in members.items():
        assert value == (pytest.approx(7 / 3) if name.endswith("scale_pos_weight") else "balanced")
    card = weighted(build_model("scorecard", config), config, y).get_params(deep=True)
    assert not [k for k in card if k.endswith(("class_weight", "scale_pos_weight"))]


def test_without_the_setting_nothing_is_reweighted() -> None:
    config = PipelineConfig(seed=0, resampling=None)
    params = weighted(build_model("xgboost", config), config, np.array([0, 0, 1])).get_params()
    assert params["estimator__model__scale_pos_weight"] is None


def test_oversampling_estimate_grows_with_the_square_and_sets_the_default_limit() -> None:
    small = oversampling_cost.resample_seconds(100_000)
    assert oversampling_cost.resample_seconds(1_000_000) / small == pytest.approx(
        10**oversampling_cost.EXPONENT
    )
    limit = oversampling_cost.default_limit()
    cv = oversampling_cost.cv_seconds
    assert cv(limit, folds=5, repeats=3) <= oversampling_cost.LIMIT_SECONDS
    assert cv(limit + 20_000, folds=5, repeats=3) > oversampling_cost.LIMIT_SECONDS
