"""The `scorecard` catalogue key: raw columns in, settings and tuned parameters, ensemble member."""

from __future__ import annotations

import numpy as np
import pytest

from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.schema import FEATURES, TARGET
from credit_mlops.modeling.build import PipelineConfig, ResamplingConfig, build_pipeline
from credit_mlops.modeling.catalog import MODEL_KEYS, RAW_KEYS, SEED_KEYS
from credit_mlops.modeling.scorecard import ScorecardClassifier

pytestmark = pytest.mark.slow  # fits scorecards and ensembles

FAST = {"c_grid": (0.1, 1.0), "inner_folds": 3}


def test_the_key_is_in_the_catalogue_but_not_in_all() -> None:
    assert "scorecard" in MODEL_KEYS and "scorecard" in RAW_KEYS
    assert "scorecard" not in SEED_KEYS and len(SEED_KEYS) == 5


def test_pipeline_is_the_scorecard_alone_with_settings_and_tuned_params() -> None:
    config = PipelineConfig(
        seed=3,
        resampling=ResamplingConfig("SMOTE"),  # asked for, not applied to a scorecard
        scorecard={"pdo": 40.0, "min_bin_share": 0.1},
        model_params={"scorecard": {"min_bin_share": 0.08}},  # tuned: wins over settings
    )
    pipe = build_pipeline("scorecard", config)
    assert [name for name, _ in pipe.steps] == ["model"]
    card = pipe.named_steps["model"]
    assert isinstance(card, ScorecardClassifier)
    assert (card.pdo, card.min_bin_share, card.random_state) == (40.0, 0.08, 3)
    assert set(card.categorical) == {
        "laufkont",
        "moral",
        "verw",
        "famges",
        "buerge",
        "weitkred",
        "wohn",
    }


def test_a_scorecard_is_an_ensemble_member() -> None:
    from credit_mlops.modeling.ensemble import soft_vote
    from credit_mlops.modeling.scorecard_table import credit_scores

    frame = synthetic(300, seed=1)
    X, y = frame[list(FEATURES)], (frame[TARGET].to_numpy() == 0).astype(int)
    config = PipelineConfig(0, None, scorecard=FAST)
    vote = soft_vote(
        ["scorecard", "logistic_regression"],
        lambda key: build_pipeline(key, config),
        params={"scorecard": {"pdo": 40.0}},
    ).fit(X, y)
    member = vote.named_estimators_["scorecard"]
    assert member.named_steps["model"].pdo == 40.0
    expected = (
        member.predict_proba(X) + vote.named_estimators_["logistic_regression"].predict_proba(X)
    ) / 2
    np.testing.assert_allclose(vote.predict_proba(X), expected)
    assert credit_scores(vote, X) is None  # a vote has no single points scale


def test_unknown_member_override_is_refused() -> None:
    from credit_mlops.modeling.ensemble import MemberError, soft_vote

    with pytest.raises(MemberError, match="has no parameter 'bins'"):
        soft_vote(
            ["scorecard", "logistic_regression"],
            lambda key: build_pipeline(key, PipelineConfig(0, None)),
            params={"scorecard": {"bins": 5}},
        )
