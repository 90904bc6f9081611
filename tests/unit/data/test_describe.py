"""`describe(fitted)`: what a fitted model is, through the wrappers `credit train` adds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from credit_mlops.modeling.build import (
    EnsembleSpec,
    PipelineConfig,
    QualityConfig,
    build_model,
)
from credit_mlops.modeling.describe import describe

pytestmark = pytest.mark.slow  # fits models

XY = (200, 3)  # rows and seed of the `xy` fixture (tests/conftest.py)
PLAIN = PipelineConfig(seed=0, resampling=None)


def test_a_calibrated_model_with_its_decision(xy) -> None:
    X, y = xy
    config = replace(PLAIN, quality=QualityConfig(calibrate="sigmoid"))
    fitted = describe(build_model("logistic_regression", config, 0.25).fit(X, y))
    assert fitted.threshold == pytest.approx(0.25)
    assert fitted.calibration == "sigmoid"
    assert [name for name, _ in fitted.pipeline.steps] == ["preprocess", "model"]
    assert type(fitted.model).__name__ == "LogisticRegression"
    assert fitted.vote is None and fitted.scorecard is None
    assert fitted.hyperparameters()["C"] == 1.0


def test_a_vote_names_its_members(xy) -> None:
    X, y = xy
    spec = EnsembleSpec(members=("logistic_regression", "decision_tree"))
    config = replace(PLAIN, quality=QualityConfig(ensemble=spec))
    fitted = describe(build_model("ensemble", config).fit(X, y))
    assert fitted.threshold == pytest.approx(1 / 6)  # the Bayes threshold of 5 and 1
    assert fitted.calibration == "none"
    assert fitted.vote is fitted.model
    params = fitted.hyperparameters()
    assert params["members"] == "logistic_regression,decision_tree"
    assert params["decision_tree__max_depth"] == 5


def test_an_xgboost_model_gives_its_booster(xy) -> None:
    X, y = xy
    config = replace(PLAIN, model_params={"xgboost": {"n_estimators": 5}})
    fitted = describe(build_model("xgboost", config).fit(X, y))
    assert type(fitted.booster()).__name__ == "Booster"
    assert fitted.hyperparameters()["n_estimators"] == 5
