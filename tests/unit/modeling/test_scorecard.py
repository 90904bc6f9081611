"""The WoE scorecard estimator: points scaling, table, rare codes, sklearn and skops contracts."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.schema import COLUMNS, FEATURES, TARGET
from credit_mlops.modeling.scorecard import ScorecardClassifier, scaling
from credit_mlops.modeling.scorecard_table import (
    TABLE_COLUMNS,
    credit_scores,
    find_scorecard,
    information_values,
    iv_flag,
    max_points,
    points_below_max,
    points_table,
)

pytestmark = pytest.mark.slow  # fits scorecards (the estimator checks fit dozens)

NOMINAL = tuple(c.name for c in COLUMNS if c.kind == "nominal")
# A short C grid keeps the suite quick; the default grid is the benchmark's business.
FAST = {"c_grid": (0.1, 1.0), "inner_folds": 3}


@pytest.fixture(scope="module")
def credit_data() -> tuple[pd.DataFrame, np.ndarray]:
    frame = synthetic(600, seed=3)
    return frame[list(FEATURES)], (frame[TARGET].to_numpy() == 0).astype(int)


@pytest.fixture(scope="module")
def card(credit_data: tuple[pd.DataFrame, np.ndarray]) -> ScorecardClassifier:
    X, y = credit_data
    return ScorecardClassifier(categorical=NOMINAL, **FAST).fit(X, y)


@pytest.fixture(scope="module")
def rare_data() -> tuple[pd.DataFrame, np.ndarray]:
    """A numeric characteristic with signal and a nominal one whose code 4 is 0.75 % of rows."""
    rng = np.random.default_rng(0)
    n = 800
    x = rng.normal(size=n)
    code = np.repeat([1, 2, 3, 4], [320, 262, 212, 6])
    rng.shuffle(code)
    logit = -1.0 + 1.2 * x + 0.8 * (code == 2)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"x": x, "code": code}), y


def test_scaling_puts_base_score_at_base_odds_and_pdo_per_doubling() -> None:
    factor, offset = scaling(20.0, 600.0, 50.0)
    assert offset + factor * math.log(50.0) == pytest.approx(600.0)
    assert factor * math.log(100.0) - factor * math.log(50.0) == pytest.approx(20.0)
    with pytest.raises(ValueError, match="positive"):
        scaling(0.0, 600.0, 50.0)


def test_score_is_the_odds_on_the_industry_scale(
    card: ScorecardClassifier, credit_data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    X, _ = credit_data
    p_bad = card.predict_proba(X)[:, 1]
    expected = 600.0 + 20.0 / math.log(2.0) * (np.log((1 - p_bad) / p_bad) - math.log(50.0))
    np.testing.assert_allclose(card.credit_score(X), expected, atol=1e-8)
    # higher = safer: the score falls as P(bad) rises
    order = np.argsort(p_bad)
    assert np.all(np.diff(card.credit_score(X)[order]) <= 1e-9)


def test_other_scale_settings_move_the_score(credit_data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = credit_data
    a = ScorecardClassifier(categorical=NOMINAL, **FAST).fit(X, y)
    b = ScorecardClassifier(categorical=NOMINAL, **FAST, pdo=40.0, base_score=500.0, base_odds=20.0)
    b.fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))
    odds = np.exp(-a.decision_function(X))
    expected = 500.0 + 40.0 / math.log(2.0) * (np.log(odds) - math.log(20.0))
    np.testing.assert_allclose(b.credit_score(X), expected, atol=1e-8)


def test_points_add_up_and_match_the_table(
    card: ScorecardClassifier, credit_data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    X, _ = credit_data
    points = card.points(X.head(50))
    assert list(points.columns) == list(FEATURES)
    np.testing.assert_allclose(points.sum(axis=1), card.credit_score(X.head(50)))
    table = points_table(card)
    assert tuple(table.columns) == TABLE_COLUMNS
    assert set(table["characteristic"]) == set(FEATURES)
    # every applicant's points for a characteristic are the points of one of its bins
    for name in ("laufkont", "laufzeit", "hoehe"):
        bins = table.loc[table["characteristic"] == name, "points"].to_numpy()
        assert np.all(
            np.min(np.abs(points[name].to_numpy()[:, None] - bins[None, :]), axis=1) < 1e-9
        )
    assert table.groupby("characteristic")["count"].sum().eq(len(X)).all()


def test_points_equal_optbinnings_own_scorecard(
    card: ScorecardClassifier, credit_data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    """Our scaling is optbinning's pdo_odds scaling: same bins, same coefficients, same points."""
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    X, y = credit_data
    process = BinningProcess(
        variable_names=list(FEATURES),
        categorical_variables=list(NOMINAL),
        min_bin_size=0.05,
        binning_fit_params=card._fit_params(list(FEATURES)),
    )
    reference = Scorecard(
        binning_process=process,
        estimator=LogisticRegression(C=float(card.estimator_.C_), tol=1e-8, max_iter=1000),
        scaling_method="pdo_odds",
        scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600},
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"optbinning(\..*)?")  # its pandas 3 notes
        reference.fit(X, y)
        theirs = reference.table("detailed")
    # (its score() takes bin indices, which refuse our numeric WoE for unseen codes)
    np.testing.assert_allclose(reference.decision_function(X), card.decision_function(X), atol=1e-5)
    theirs = theirs[theirs["Count"] > 0]
    ours = points_table(card)
    np.testing.assert_allclose(ours["points"].to_numpy(), theirs["Points"].to_numpy(), atol=1e-4)
    np.testing.assert_allclose(ours["woe"].to_numpy(), theirs["WoE"].to_numpy(dtype=float))


def test_ordered_characteristics_get_a_monotonic_bad_rate(
    credit_data: tuple[pd.DataFrame, np.ndarray],
) -> None:
    X, y = credit_data
    card = ScorecardClassifier(categorical=NOMINAL, **FAST, monotonic_trend="auto_asc_desc").fit(
        X, y
    )
    table = points_table(card)
    for name in ("laufzeit", "hoehe", "alter", "sparkont"):
        rates = np.diff(table.loc[table["characteristic"] == name, "bad_rate"].to_numpy())
        assert np.all(rates >= -1e-12) or np.all(rates <= 1e-12), name


def test_a_characteristic_can_be_given_its_own_trend(
    credit_data: tuple[pd.DataFrame, np.ndarray],
) -> None:
    X, y = credit_data
    card = ScorecardClassifier(categorical=NOMINAL, **FAST, trends={"laufzeit": "descending"}).fit(
        X, y
    )
    rates = points_table(card).query("characteristic == 'laufzeit'")["bad_rate"].to_numpy()
    assert np.all(np.diff(rates) <= 1e-12)
    with pytest.raises(ValueError, match="unknown characteristic"):
        ScorecardClassifier(trends={"nope": "ascending"}).fit(X, y)
    with pytest.raises(ValueError, match="monotonic trend 'sideways'"):
        ScorecardClassifier(monotonic_trend="sideways").fit(X, y)


def test_min_bin_share_bounds_every_bin(credit_data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = credit_data
    card = ScorecardClassifier(categorical=NOMINAL, **FAST, min_bin_share=0.15).fit(X, y)
    table = points_table(card)
    ordered = ~table["characteristic"].isin(NOMINAL)
    assert (table.loc[ordered, "count"] >= 0.15 * len(X)).all()


def test_rare_and_unseen_codes_get_the_neutral_points(
    rare_data: tuple[pd.DataFrame, np.ndarray],
) -> None:
    X, y = rare_data
    card = ScorecardClassifier(categorical=("code",), **FAST, rare_code_share=0.02).fit(X, y)
    assert card.rare_codes_ == {"code": [4]}
    table = points_table(card)
    rare = table[table["bin"] == "rare: 4"]
    assert len(rare) == 1 and int(rare["count"].iloc[0]) == 6 and rare["woe"].iloc[0] == 0.0
    neutral = float(card.bin_points("code", np.zeros(1))[0])
    probe = pd.DataFrame({"x": [0.0, 0.0], "code": [4, 9]})  # rare, never seen
    np.testing.assert_allclose(card.points(probe)["code"], [neutral, neutral])
    # without pooling, code 4 is binned (alone or merged) like any other code
    loose = ScorecardClassifier(categorical=("code",), **FAST, rare_code_share=0.0).fit(X, y)
    assert loose.rare_codes_ == {"code": []}
    bins = points_table(loose).query("characteristic == 'code'")["bin"]
    assert any("4" in label.split(", ") for label in bins)
    assert not any(label.startswith("rare") for label in bins)


def test_woe_lookups_equal_the_binning_process_to_the_last_bit(
    card: ScorecardClassifier,
    credit_data: tuple[pd.DataFrame, np.ndarray],
    rare_data: tuple[pd.DataFrame, np.ndarray],
) -> None:
    """The fast WoE (array lookups) and optbinning's own transform agree on every value a
    scorer may see: codes, unseen codes, bin edges and their neighbours, floats, missing
    values, special (rare) codes; the lookups never become part of the saved model."""
    import skops.io

    from credit_runtime.scorecard import _lookup

    X, _ = credit_data
    assert _lookup(card) is not None
    edges = X.astype(float).copy()
    edges["laufzeit"] = np.resize([8.5, 8.499999, 11.5, 43.5, 120.0, 0.5, np.nan], len(X))
    edges["laufkont"] = np.resize([1, 2, 3, 4, 7, -1], len(X))
    huge = X.head(3).assign(hoehe=[2**53 + 1, 2**60, -(2**62)])  # beyond float64's integers
    for frame in (
        X, X.head(1), X.head(0), X.astype(float), edges, X[list(reversed(X.columns))], huge,
    ):  # fmt: skip
        expected = card._own_woe(frame) if len(frame) else None
        got = card.woe(frame)
        if expected is not None:
            pd.testing.assert_frame_equal(got, expected, check_exact=True)
        assert got.shape == (len(frame), len(card.feature_names_))
    R, y = rare_data
    rare = ScorecardClassifier(categorical=("code",), **FAST, rare_code_share=0.02).fit(R, y)
    probe = pd.DataFrame({"x": [0.0, -3.0, 3.0, np.nan, 0.25], "code": [4, 9, 1, 2, 3]})
    assert _lookup(rare) is not None
    pd.testing.assert_frame_equal(rare.woe(probe), rare._own_woe(probe), check_exact=True)
    text = pd.DataFrame({"x": X["laufzeit"], "code": X["laufkont"].map("c{}".format)})
    worded = ScorecardClassifier(categorical=("code",), **FAST).fit(text, credit_data[1])
    assert _lookup(worded) is None  # text codes: optbinning's own transform, unchanged
    assert np.isfinite(worded.predict_proba(text)).all()
    blob = skops.io.dumps(card)
    assert b"WoeLookup" not in blob
    assert "woe_lookup" not in str(skops.io.get_untrusted_types(data=blob))


def test_a_decision_bins_its_applicants_once(
    card: ScorecardClassifier, credit_data: tuple[pd.DataFrame, np.ndarray], monkeypatch: Any
) -> None:
    """Inside `reusing()` the WoE of one frame is computed once for P(bad), points and score;
    outside it every call computes afresh (a frame changed in place is never served stale)."""
    from credit_runtime import scorecard as module

    X = credit_data[0].head(5).copy()
    calls: list[int] = []
    own = ScorecardClassifier._woe
    monkeypatch.setattr(
        ScorecardClassifier, "_woe", lambda self, X: calls.append(1) or own(self, X)
    )
    with module.reusing():
        proba, score, points = card.predict_proba(X), card.credit_score(X), card.points(X)
        card.woe(X.copy())  # another frame: binned on its own
    assert len(calls) == 2
    np.testing.assert_array_equal(score, points.sum(axis=1).to_numpy())
    X.iloc[0, 0] = X.iloc[1, 0] + 1  # changed in place, outside the block: binned again
    calls.clear()
    card.predict_proba(X), card.credit_score(X)
    assert len(calls) == 2
    assert proba.shape == (5, 2)


def test_information_values_and_flags(card: ScorecardClassifier) -> None:
    table = points_table(card)
    ivs = information_values(table)
    assert list(ivs.columns) == ["characteristic", "iv", "flag"]
    assert ivs["iv"].is_monotonic_decreasing
    top = ivs.iloc[0]
    assert top["iv"] == pytest.approx(
        table.loc[table["characteristic"] == top["characteristic"], "iv"].sum()
    )
    assert (iv_flag(0.01), iv_flag(0.1), iv_flag(0.6)) == ("not predictive", "", "suspicious")
    # duration and status drive the synthetic target; noise columns are flagged
    assert set(ivs["characteristic"].head(2)) == {"laufzeit", "laufkont"}
    assert "not predictive" in set(ivs.loc[ivs["characteristic"] == "telef", "flag"])


def test_points_below_max_through_a_pipeline(
    card: ScorecardClassifier, credit_data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    from sklearn.model_selection import FixedThresholdClassifier
    from sklearn.pipeline import Pipeline

    X, y = credit_data
    model = FixedThresholdClassifier(
        Pipeline([("model", ScorecardClassifier(categorical=NOMINAL, **FAST))]), threshold=1 / 6
    ).fit(X, y)
    assert isinstance(find_scorecard(model), ScorecardClassifier)
    below = points_below_max(model, X.head(20))
    assert below.shape == (20, len(FEATURES))
    assert (below.to_numpy() >= -1e-9).all()
    inner = find_scorecard(model)
    assert inner is not None
    total = max_points(inner).sum() - below.sum(axis=1)
    np.testing.assert_allclose(total, inner.credit_score(X.head(20)))
    with pytest.raises(ValueError, match="not a scorecard"):
        from sklearn.linear_model import LogisticRegression

        points_below_max(LogisticRegression(max_iter=1000).fit(X, y), X)


def test_sklearn_estimator_contract(
    card: ScorecardClassifier, credit_data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    X, y = credit_data
    fresh = clone(card)
    assert fresh.get_params() == ScorecardClassifier(categorical=NOMINAL, **FAST).get_params()
    assert not hasattr(fresh, "estimator_")
    with pytest.raises(NotFittedError):
        fresh.predict_proba(X)
    assert fresh.fit(X, y) is fresh
    assert list(card.classes_) == [0, 1]
    assert list(card.feature_names_in_) == list(FEATURES)
    assert set(np.unique(card.predict(X))) <= {0, 1}
    np.testing.assert_array_equal(fresh.predict_proba(X), card.predict_proba(X))  # deterministic
    shuffled = X[list(reversed(FEATURES))]  # columns are taken by name
    np.testing.assert_array_equal(card.predict_proba(shuffled), card.predict_proba(X))
    with pytest.raises(ValueError, match="missing characteristic"):
        card.predict_proba(X.drop(columns=["alter"]))
    with pytest.raises(ValueError, match="binary target"):
        clone(card).fit(X, np.arange(len(X)) % 3)


def _all_sklearn_checks():  # type: ignore[no-untyped-def]
    from sklearn.utils.estimator_checks import parametrize_with_checks

    return parametrize_with_checks([ScorecardClassifier(c_grid=(0.1, 1.0), inner_folds=3)])


@pytest.mark.slow
@_all_sklearn_checks()
def test_sklearn_estimator_checks(estimator, check) -> None:  # type: ignore[no-untyped-def]
    """Every check of scikit-learn's estimator suite (56 here), none expected to fail."""
    check(estimator)


def test_skops_round_trip(
    card: ScorecardClassifier, credit_data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    """MLflow's default format: the fitted scorecard dumps, loads and scores the same."""
    import skops.io

    X, _ = credit_data
    blob = skops.io.dumps(card)
    untrusted = skops.io.get_untrusted_types(data=blob)
    assert "credit_runtime.scorecard.ScorecardClassifier" in untrusted
    loaded = skops.io.loads(blob, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(X), card.predict_proba(X))
    np.testing.assert_array_equal(loaded.credit_score(X), card.credit_score(X))
    pd.testing.assert_frame_equal(points_table(loaded), points_table(card))


def test_credit_scores_only_for_scorecards(
    card: ScorecardClassifier, credit_data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import FixedThresholdClassifier, StratifiedKFold
    from sklearn.pipeline import Pipeline

    X, y = credit_data
    assert credit_scores(DummyClassifier().fit(X, y), X) is None
    # the logged model's shape: decision around calibration (ensemble=False) around the pipeline
    calibrated = CalibratedClassifierCV(
        Pipeline([("model", ScorecardClassifier(categorical=NOMINAL, **FAST))]),
        method="sigmoid",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        ensemble=False,
    )
    model = FixedThresholdClassifier(calibrated, threshold=1 / 6).fit(X, y)
    scores = credit_scores(model, X.head(30))
    assert scores is not None
    inner = find_scorecard(model)
    assert inner is not None
    np.testing.assert_allclose(scores, inner.credit_score(X.head(30)))
    # the points rank applicants as the calibrated P(bad) does (sigmoid is monotone)
    p_bad = model.predict_proba(X.head(30))[:, 1]
    assert np.all(np.diff(scores[np.argsort(p_bad)]) <= 1e-9)
