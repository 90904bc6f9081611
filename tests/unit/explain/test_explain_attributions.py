"""Attributions per model kind on pipelines fitted here: additivity, original columns, dispatch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data import schema as data
from credit_mlops.explain.attribution import explainer, factory_for
from credit_mlops.explain.background import sample
from credit_mlops.modeling import build as pipeline_mod

pytestmark = pytest.mark.slow  # fits every model kind

FEATURES = list(data.FEATURES)


XY = (300, 5)  # rows and seed of the `xy` fixture (tests/conftest.py)


@pytest.fixture(scope="module")
def background(xy: tuple[pd.DataFrame, np.ndarray]) -> pd.DataFrame:
    return sample(xy[0], seed=3, rows=20)


def fitted(key: str, xy: tuple[pd.DataFrame, np.ndarray], smote: bool = True) -> object:
    resampling = pipeline_mod.ResamplingConfig("SMOTE") if smote else None
    pipe = pipeline_mod.build_pipeline(
        key, pipeline_mod.PipelineConfig(seed=1, resampling=resampling)
    )
    return pipe.fit(*xy)


def log_odds(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


# XGBoost sums its trees in float32: its own margin and its own contributions agree to float32
# precision (about 1e-5 on a margin of a few units), not to float64's.
TOLERANCE = {"xgboost": 1e-5}
KINDS = {
    "xgboost": ("XGBoostExplainer", "log-odds", True),
    "logistic_regression": ("LinearExplainer", "log-odds", True),
    "decision_tree": ("TreeExplainer", "probability", True),
    "random_forest": ("TreeExplainer", "probability", True),
    "svm": ("PermutationExplainer", "probability", False),
}


@pytest.mark.parametrize("key", list(KINDS))
def test_attributions_plus_base_give_the_model_output(key: str, xy, background) -> None:  # type: ignore[no-untyped-def]
    pipe = fitted(key, xy)
    rows = xy[0].iloc[:12]
    attribution = explainer(pipe, FEATURES, background, key).explain(rows)
    cls, space, exact = KINDS[key]
    assert factory_for(pipe, key, FEATURES).__name__ == cls
    assert (attribution.space, attribution.exact) == (space, exact)
    assert attribution.columns == tuple(FEATURES)  # one value per ORIGINAL column
    assert attribution.values.shape == (12, 20)
    proba = pipe.predict_proba(rows)[:, 1]
    expected = log_odds(proba) if space == "log-odds" else proba
    if key == "xgboost":
        import xgboost

        booster = pipe[-1].get_booster()
        matrix = xgboost.DMatrix(pipe[0].transform(rows))
        expected = booster.predict(matrix, output_margin=True)
    np.testing.assert_allclose(attribution.output, expected, rtol=0, atol=TOLERANCE.get(key, 1e-6))
    assert np.abs(attribution.values).sum() > 0


def test_a_threshold_wrapper_is_looked_through(xy, background) -> None:  # type: ignore[no-untyped-def]
    from sklearn.model_selection import FixedThresholdClassifier

    wrapped = FixedThresholdClassifier(fitted("logistic_regression", xy), threshold=0.2)
    wrapped.fit(*xy)
    attribution = explainer(wrapped, FEATURES, background, "logistic_regression").explain(
        xy[0].iloc[:5]
    )
    assert attribution.method.startswith("exact linear")
    proba = wrapped.predict_proba(xy[0].iloc[:5])[:, 1]
    np.testing.assert_allclose(attribution.output, log_odds(proba), atol=1e-9)


def test_a_calibrated_tree_model_falls_back_to_the_agnostic_explainer(xy, background) -> None:  # type: ignore[no-untyped-def]
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.tree import DecisionTreeClassifier

    pipe = pipeline_mod.build_pipeline(
        "decision_tree", pipeline_mod.PipelineConfig(seed=1, resampling=None)
    )
    pipe.steps[-1] = (
        "model",
        CalibratedClassifierCV(DecisionTreeClassifier(max_depth=3, random_state=0), cv=3),
    )
    pipe.fit(*xy)
    explained = explainer(pipe, FEATURES, background, "decision_tree")
    assert type(explained).__name__ == "PermutationExplainer"
    attribution = explained.explain(xy[0].iloc[:4])
    np.testing.assert_allclose(
        attribution.output, pipe.predict_proba(xy[0].iloc[:4])[:, 1], atol=1e-9
    )


def test_agnostic_reasons_do_not_depend_on_the_other_rows(xy, background) -> None:  # type: ignore[no-untyped-def]
    pipe = fitted("svm", xy, smote=False)
    explained = explainer(pipe, FEATURES, background, "svm")
    rows = xy[0].iloc[:6]
    alone = explained.explain(rows.iloc[[4]]).values[0]
    together = explained.explain(rows).values[4]
    again = explainer(pipe, FEATURES, background, "svm").explain(rows.iloc[::-1]).values[1]
    np.testing.assert_array_equal(alone, together)
    np.testing.assert_array_equal(together, again)


def test_linear_closed_form_is_the_coefficient_times_the_distance_from_the_mean(
    xy, background
) -> None:  # type: ignore[no-untyped-def]
    pipe = fitted("logistic_regression", xy, smote=False)
    rows = xy[0].iloc[:3]
    attribution = explainer(pipe, FEATURES, background, "logistic_regression").explain(rows)
    pre, model = pipe[0], pipe[-1]
    phi = (pre.transform(rows) - pre.transform(background).mean(axis=0)) * model.coef_[0]
    names = pre.get_feature_names_out()
    duration = [i for i, n in enumerate(names) if n == "numeric__laufzeit"]
    status = [i for i, n in enumerate(names) if n.startswith("nominal__laufkont_")]
    assert len(status) == 4
    column = list(attribution.columns)
    np.testing.assert_allclose(attribution.values[:, column.index("laufzeit")], phi[:, duration[0]])
    np.testing.assert_allclose(
        attribution.values[:, column.index("laufkont")], phi[:, status].sum(axis=1)
    )


def test_tree_models_need_no_background_but_linear_and_agnostic_do(xy) -> None:  # type: ignore[no-untyped-def]
    from credit_mlops.errors import InputError

    explainer(fitted("decision_tree", xy, smote=False), FEATURES, None, "decision_tree")
    for key in ("logistic_regression", "svm"):
        with pytest.raises(InputError, match="background"):
            explainer(fitted(key, xy, smote=False), FEATURES, None, key)


def test_scorecard_reasons_are_points_below_the_maximum(xy) -> None:  # type: ignore[no-untyped-def]
    from credit_mlops.explain.reasons import reasons
    from credit_mlops.modeling.scorecard_table import credit_scores, find_scorecard, max_points

    config = pipeline_mod.PipelineConfig(seed=1, resampling=None)
    pipe = pipeline_mod.build_pipeline("scorecard", config)
    pipe.fit(*xy)
    rows = xy[0].iloc[:8]
    attribution = explainer(pipe, FEATURES, None, "scorecard").explain(rows)
    assert (attribution.space, attribution.columns) == ("points", tuple(FEATURES))
    assert attribution.values.min() > -1e-9  # nobody scores above a characteristic's maximum
    # points below the maxima + (- the sum of the maxima) = - the applicant's score
    np.testing.assert_allclose(attribution.output, -credit_scores(pipe, rows), atol=1e-6)
    card = find_scorecard(pipe)
    assert card is not None
    np.testing.assert_allclose(attribution.base, -float(max_points(card).sum()))
    top = reasons(attribution, rows, 1)
    first = int(np.argmax(attribution.values[0]))
    assert top.loc[rows.index[0], "reason_1_value"] == pytest.approx(attribution.values[0, first])


def test_a_soft_vote_is_explained_by_its_members_weighted_as_it_votes(xy, background) -> None:  # type: ignore[no-untyped-def]
    """The ensemble's reasons come from its members' exact attributions: they add up to the
    vote's P(bad); a log-odds member's columns keep their sign and order."""
    from imblearn.pipeline import Pipeline
    from sklearn.ensemble import VotingClassifier

    from credit_mlops.explain.attribution import explainer as explain_with

    pipe = fitted("ensemble", xy, smote=False)
    explained = explain_with(pipe, FEATURES, background, "ensemble")
    assert type(explained).__name__ == "VoteExplainer"
    rows = xy[0].iloc[:12]
    attribution = explained.explain(rows)
    assert (attribution.space, attribution.exact) == ("probability", False)
    assert attribution.columns == tuple(FEATURES)
    # XGBoost's float32 contributions: float32 precision, as above
    np.testing.assert_allclose(attribution.output, pipe.predict_proba(rows)[:, 1], atol=1e-5)
    # a vote of one logistic regression: its log-odds attributions times one positive factor
    # per applicant, so the same columns in the same order
    alone = Pipeline([("model", VotingClassifier([("lr", fitted("logistic_regression", xy))]))])
    alone.set_params(model__voting="soft").fit(*xy)
    vote = explain_with(alone, FEATURES, background, "ensemble").explain(rows).values
    linear = explain_with(alone[-1].estimators_[0], FEATURES, background).explain(rows).values
    for mine, its in zip(vote, linear, strict=True):
        ratio = mine[its != 0] / its[its != 0]
        assert (ratio > 0).all()
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
    # a member without an exact explainer: the whole vote by permutation sampling
    mixed = Pipeline(
        [
            (
                "model",
                VotingClassifier(
                    [
                        ("lr", fitted("logistic_regression", xy)),
                        ("svm", fitted("svm", xy, smote=False)),
                    ],
                    voting="soft",
                ),
            )
        ]
    ).fit(*xy)
    assert (
        type(explain_with(mixed, FEATURES, background, "ensemble")).__name__
        == "PermutationExplainer"
    )
