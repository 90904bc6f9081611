from __future__ import annotations

import json

import numpy as np
import pytest
from tests.schema_frames import synthetic

from credit_mlops.data.schema import FEATURES, TARGET
from credit_mlops.monitor import build, reference, stability


def test_numeric_bins_are_training_quantiles() -> None:
    values = np.arange(1, 101)  # 1..100
    dist = reference.numeric("x", values, bins=10)
    assert len(dist.edges) == 9 and len(dist.shares) == 10
    assert dist.shares == pytest.approx([0.1] * 10)
    assert dist.counts(np.array([-5, 1000])).tolist() == [1.0] + [0.0] * 8 + [1.0]
    assert dist.labels()[0] == "<= 10" and dist.labels()[-1] == "> 90"


def test_tied_values_collapse_bins_without_an_empty_last_bin() -> None:
    values = np.array([12] * 50 + [24] * 30 + [48] * 20)
    dist = reference.numeric("laufzeit", values, bins=10)
    assert dist.edges == (12.0, 24.0)  # cuts at observed values; none at the maximum
    assert dist.shares == pytest.approx([0.5, 0.3, 0.2])
    assert dist.labels() == ["<= 12", "(12, 24]", "> 24"]


def test_coded_columns_keep_every_code_of_their_domain() -> None:
    dist = reference.coded("verw", np.array([0, 0, 3, 3, 3, 10]), range(0, 11))
    assert dist.codes == tuple(range(11))
    assert dist.shares[5] == 0.0 and dist.shares[3] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="outside its reference"):
        dist.counts(np.array([11]))


def _training(seed: int = 0) -> tuple[object, np.ndarray]:
    frame = synthetic(600, seed=seed)
    rng = np.random.default_rng(seed)
    return frame[list(FEATURES)], rng.beta(2, 5, len(frame))


def test_reference_round_trips_through_json_and_sees_itself_as_stable() -> None:
    X, scores = _training()
    ref = build.from_training(X, scores, threshold=0.3)  # type: ignore[arg-type]
    again = reference.Reference.from_json(json.loads(json.dumps(ref.to_json())))
    assert again == ref
    assert {d.name: d.kind for d in ref.columns}["alter"] == "numeric"
    assert {d.name: d.kind for d in ref.columns}["laufkont"] == "coded"
    assert ref.reject_rate == pytest.approx(float(np.mean(scores >= 0.3)))
    same = stability.compare(ref, {c: X[c].to_numpy() for c in X}, scores)  # type: ignore[index]
    assert same.worst == "stable" and same.score.psi == 0.0
    assert same.reject_rate_current == pytest.approx(ref.reject_rate)


def _edited(change: object) -> dict[str, object]:
    X, scores = _training()
    data = build.from_training(X, scores, threshold=0.3).to_json()  # type: ignore[arg-type]
    change(data)  # type: ignore[operator]
    return json.loads(json.dumps(data))


def _first(data: dict[str, object]) -> dict[str, object]:
    return data["columns"][0]  # type: ignore[index,no-any-return]


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: d["score"].update(shares=[0.5, 0.5]), "shares for"),
        (lambda d: _first(d).update(shares=[-0.5, 1.5, *_first(d)["shares"][2:]]), "proportions"),
        (lambda d: _first(d).update(shares=[0.0] * len(_first(d)["shares"])), "proportions"),
        (lambda d: d["score"].update(edges=list(reversed(d["score"]["edges"]))), "increasing"),
        (lambda d: d.update(columns=[]), "no columns"),
        (lambda d: d.update(rows=0), "no rows"),
        (lambda d: d["columns"].append(d["columns"][0]), "listed twice"),
        (lambda d: d.update(threshold=7), "outside 0..1"),
        (lambda d: _first(d).update(codes=[1, 1, 2, 3]), "listed twice"),
    ],
)
def test_a_reference_the_tool_did_not_write_is_refused(change: object, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        reference.Reference.from_json(_edited(change))


def test_a_planted_shift_is_found_and_ranked_first() -> None:
    X, scores = _training()
    ref = build.from_training(X, scores, threshold=0.3)  # type: ignore[arg-type]
    other, _ = _training(seed=1)
    columns = {c: other[c].to_numpy() for c in other}  # type: ignore[index]
    columns["alter"] = np.maximum(18, columns["alter"] - 15)
    result = stability.compare(ref, columns, np.clip(scores + 0.2, 0, 1))
    assert result.table[0].name in {"alter", "score"}
    assert {r.name for r in result.table[:2]} == {"alter", "score"}
    assert result.worst == "major"
    assert result.reject_rate_current > result.reject_rate_reference
    assert "→" in result.table[0].top_bin
    psis = [r.psi for r in result.table]
    assert psis == sorted(psis, reverse=True)


def test_a_missing_column_is_named() -> None:
    X, scores = _training()
    ref = build.from_training(X, scores, threshold=0.3)  # type: ignore[arg-type]
    columns = {c: X[c].to_numpy() for c in X if c != "alter"}  # type: ignore[attr-defined,index]
    with pytest.raises(ValueError, match="alter"):
        stability.compare(ref, columns, scores)


def test_oof_scores_repeat_train_folds() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = synthetic(300, seed=2)
    X, y_bad = frame[list(FEATURES)], (frame[TARGET] == 0).astype(int).to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression())
    a = build.oof_scores(model, X, y_bad, folds=3, repeats=2, seed=5)
    b = build.oof_scores(model, X, y_bad, folds=3, repeats=2, seed=5)
    assert a.shape == (300,) and np.array_equal(a, b)
    assert a.min() > 0.0 and a.max() < 1.0
