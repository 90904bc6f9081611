"""The `ensemble` key: a soft vote of catalogue pipelines, with per-member overrides."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from pydantic import ValidationError

from credit_mlops.config.cost import CostSettings
from credit_mlops.config.ensemble import EnsembleSettings
from credit_mlops.modeling import build as pipeline_mod
from credit_mlops.modeling.build import EnsembleSpec, QualityConfig, build_pipeline
from credit_mlops.modeling.ensemble import (
    MemberError,
    ensemble_hyperparameters,
    soft_vote,
    vote_of,
)

pytestmark = pytest.mark.slow  # fits ensembles

CFG = pipeline_mod.PipelineConfig(3, pipeline_mod.ResamplingConfig("SMOTE", 5, 10))


def _member(key: str):
    return pipeline_mod.build_pipeline(key, CFG)


XY = (300, 9)  # rows and seed of the `xy` fixture (tests/conftest.py)


def test_soft_vote_is_the_weighted_mean_of_the_members(xy) -> None:
    X, y = xy
    members = ["logistic_regression", "decision_tree"]
    vote = soft_vote(members, _member, weights=[3.0, 1.0]).fit(X, y)
    alone = [_member(k).fit(X, y).predict_proba(X)[:, 1] for k in members]
    expected = (3 * alone[0] + alone[1]) / 4
    np.testing.assert_allclose(vote.predict_proba(X)[:, 1], expected, rtol=1e-12)


def test_overrides_reach_the_member_model_or_the_named_step() -> None:
    vote = soft_vote(
        ["logistic_regression", "xgboost"],
        _member,
        params={"xgboost": {"max_depth": 2, "smote__k_neighbors": 3}},
    )
    xgb = vote.named_estimators["xgboost"]
    assert xgb.named_steps["model"].max_depth == 2
    assert xgb.named_steps["smote"].k_neighbors == 3
    assert vote.named_estimators["logistic_regression"].named_steps["model"].C == 1.0


@pytest.mark.parametrize(
    ("members", "kwargs", "message"),
    [
        (["xgboost"], {}, "at least two"),
        (["xgboost", "xgboost"], {}, "distinct"),
        (["xgboost", "ensemble"], {}, "member of itself"),
        (
            ["xgboost", "svm"],
            {"params": {"random_forest": {"n_estimators": 5}}},
            "not an ensemble member",
        ),
        (["xgboost", "svm"], {"weights": [1.0]}, "1 ensemble weights for 2 members"),
        (["xgboost", "svm"], {"params": {"xgboost": {"depth": 2}}}, "has no parameter 'depth'"),
    ],
)
def test_invalid_ensembles_are_refused(members, kwargs, message) -> None:
    with pytest.raises(MemberError, match=message):
        soft_vote(members, _member, **kwargs)


def test_logged_names_are_member_then_parameter(xy) -> None:
    X, y = xy
    spec = EnsembleSpec(members=("logistic_regression", "decision_tree"))
    pipe = build_pipeline("ensemble", replace(CFG, quality=QualityConfig(ensemble=spec)))
    pipe.fit(X, y)
    params = ensemble_hyperparameters(vote_of(pipe))
    assert params["members"] == "logistic_regression,decision_tree"
    assert params["weights"] == "equal" and params["voting"] == "soft"
    assert params["logistic_regression__C"] == 1.0
    assert params["decision_tree__max_depth"] == 5
    assert not any("preprocess" in k for k in params)


def test_ensemble_members_skip_oversampling_unless_asked() -> None:
    spec = EnsembleSpec(members=("logistic_regression", "xgboost"))
    off = vote_of(build_pipeline("ensemble", replace(CFG, quality=QualityConfig(ensemble=spec))))
    assert all("smote" not in m.named_steps for _, m in off.estimators)
    on = QualityConfig(ensemble=EnsembleSpec(members=spec.members, smote=True))
    with_smote = vote_of(build_pipeline("ensemble", replace(CFG, quality=on)))
    assert all("smote" in m.named_steps for _, m in with_smote.estimators)
    assert build_pipeline("svm", replace(CFG, quality=on)).named_steps["smote"]


def test_ensemble_settings_validate_members_weights_and_params() -> None:
    s = EnsembleSettings(members=["XGBoost", "svm"], weights=[2, 1], params={"svm": {"cv": 3}})
    assert s.members == ["xgboost", "svm"]
    with pytest.raises(ValidationError, match="unknown ensemble member 'catboost'"):
        EnsembleSettings(members=["xgboost", "catboost"])
    with pytest.raises(ValidationError, match="1 ensemble weights for 2 members"):
        EnsembleSettings(members=["xgboost", "svm"], weights=[1])
    with pytest.raises(ValidationError, match="names 'decision_tree', which is not a member"):
        EnsembleSettings(members=["xgboost", "svm"], params={"decision_tree": {"max_depth": 2}})
    with pytest.raises(ValidationError, match="at least two distinct"):
        EnsembleSettings(members=["xgboost"])


def test_cost_settings() -> None:
    s = CostSettings()
    assert s.params() == {
        "cost__accept_bad": 5.0,
        "cost__reject_good": 1.0,
        "cost__threshold_rule": "bayes",
    }
    with pytest.raises(ValidationError):
        CostSettings(accept_bad=0)
    with pytest.raises(ValidationError):
        CostSettings(threshold="median")  # type: ignore[arg-type]
