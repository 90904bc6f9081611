"""The logged model: calibration around the pipeline, the decision inside the estimator."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from credit_mlops.modeling import build as pipeline_mod
from credit_mlops.modeling import decision
from credit_mlops.modeling.build import QualityConfig, build_model, training_threshold

pytestmark = pytest.mark.slow  # fits and calibrates models

SMOTE = pipeline_mod.PipelineConfig(7, pipeline_mod.ResamplingConfig("SMOTE", 5, 10))
PLAIN = pipeline_mod.PipelineConfig(7, None)


XY = (400, 5)  # rows and seed of the `xy` fixture (tests/conftest.py)


def _fit(key: str, calibrate: str, xy: tuple[pd.DataFrame, np.ndarray], cfg=SMOTE):
    X, y = xy
    model = build_model(key, replace(cfg, quality=QualityConfig(calibrate=calibrate)))
    return model.fit(X, y)


def test_the_model_is_a_fixed_threshold_classifier_around_the_calibrated_pipeline() -> None:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import FixedThresholdClassifier

    model = build_model(
        "logistic_regression", replace(SMOTE, quality=QualityConfig(calibrate="sigmoid"))
    )
    assert isinstance(model, FixedThresholdClassifier)
    assert model.threshold == pytest.approx(1 / 6)
    assert isinstance(model.estimator, CalibratedClassifierCV)
    # the calibrator wraps the whole pipeline, so oversampling happens inside its folds
    assert [n for n, _ in model.estimator.estimator.steps] == ["preprocess", "smote", "model"]
    plain = build_model("logistic_regression", SMOTE)
    assert [n for n, _ in plain.estimator.steps] == ["preprocess", "smote", "model"]


@pytest.mark.parametrize("calibrate", ["none", "sigmoid", "isotonic"])
def test_predict_is_the_cost_decision_on_p_bad(calibrate: str, xy) -> None:
    X, _ = xy
    model = _fit("logistic_regression", calibrate, xy)
    proba = model.predict_proba(X)[:, 1]
    assert list(model.classes_) == [0, 1]
    np.testing.assert_array_equal(model.predict(X), (proba >= 1 / 6).astype(int))
    assert decision.calibration_of(model) == calibrate
    assert decision.inner_pipeline(model).named_steps["model"].__class__.__name__ == (
        "LogisticRegression"
    )


def test_set_threshold_changes_the_decision_without_a_refit(xy) -> None:
    X, _ = xy
    model = _fit("decision_tree", "none", xy)
    fitted = model.estimator_
    before = model.predict(X).sum()
    decision.set_threshold(model, 0.9)
    assert model.estimator_ is fitted and decision.threshold_of(model) == pytest.approx(0.9)
    assert model.predict(X).sum() < before


def test_calibration_moves_oversampled_probabilities_back_to_the_real_share(xy) -> None:
    X, y = xy
    raw = _fit("logistic_regression", "none", xy).predict_proba(X)[:, 1].mean()
    cal = _fit("logistic_regression", "sigmoid", xy).predict_proba(X)[:, 1].mean()
    # SMOTE balances the classes: raw P(bad) is pushed up, calibrated back near the real share
    assert raw - y.mean() > 0.05
    assert abs(cal - y.mean()) < (raw - y.mean()) / 2


def test_same_seed_same_probabilities(xy) -> None:
    X, _ = xy
    a = _fit("xgboost", "sigmoid", xy).predict_proba(X)
    b = _fit("xgboost", "sigmoid", xy).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_unknown_calibration_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown calibration 'platt'"):
        decision.calibrated(object(), "platt", seed=1)


@pytest.mark.parametrize("key", ["xgboost", "logistic_regression"])
def test_skops_round_trip_keeps_the_decision(key: str, xy) -> None:
    import skops.io

    X, _ = xy
    model = _fit(key, "sigmoid", xy)
    blob = skops.io.dumps(model)
    loaded = skops.io.loads(blob, trusted=skops.io.get_untrusted_types(data=blob))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert decision.threshold_of(loaded) == pytest.approx(1 / 6)
    # nothing beyond library types: no scorer or function of ours needs trusting
    assert not [t for t in skops.io.get_untrusted_types(data=blob) if "credit_mlops" in t]


def test_training_threshold_rules(xy) -> None:
    X, y = xy
    bayes = training_threshold("logistic_regression", PLAIN, X, y)
    assert bayes == pytest.approx(1 / 6)
    by_cv = replace(PLAIN, quality=QualityConfig(threshold_rule="cv"))
    cv = training_threshold("logistic_regression", by_cv, X, y)
    assert 0.0 <= cv <= 1.0 and cv != pytest.approx(1 / 6)
    again = training_threshold("logistic_regression", by_cv, X, y)
    assert again == cv  # seeded inner folds
