"""The fast scoring path gives the model's own P(bad) bit for bit, or is not used at all;
the id tally's Arrow hash counts duplicates like pandas' hash; chunks reach every worker."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from credit_mlops.data.schema import FEATURES, TARGET
from credit_mlops.data.synth import synthesize
from credit_mlops.lifecycle.fast_scoring import CheckedProba, compile_proba
from credit_mlops.lifecycle.predict_checks import IdTally, _arrow_text_hash
from credit_mlops.lifecycle.stream import MIN_CHUNK_ROWS, rows_per_chunk
from credit_mlops.modeling.build import (
    PipelineConfig,
    ResamplingConfig,
    build_pipeline,
    target_bad,
)

pytestmark = pytest.mark.slow  # fits every model kind


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    frame = synthesize(1_500, seed=5)
    # codes the training rows never show, so scoring meets unknown categories
    return frame[(frame["verw"] != 10) & (frame["laufkont"] != 4)].reset_index(drop=True)


@pytest.fixture(scope="module")
def applicants() -> pd.DataFrame:
    return synthesize(3_000, seed=6)[list(FEATURES)]


def fitted(key: str, train: pd.DataFrame) -> Any:
    config = PipelineConfig(seed=0, resampling=ResamplingConfig("BorderlineSMOTE"))
    pipe = build_pipeline(key, config)
    model = FixedThresholdClassifier(pipe, threshold=1 / 6, response_method="predict_proba")
    return model.fit(train[list(FEATURES)], target_bad(train[TARGET]))


@pytest.mark.parametrize(
    "key", ["logistic_regression", "xgboost", "random_forest", "ensemble", "scorecard"]
)
def test_fast_path_is_the_models_proba_bit_for_bit(
    key: str, train: pd.DataFrame, applicants: pd.DataFrame
) -> None:
    model = fitted(key, train)
    fast = compile_proba(model)
    assert fast is not None
    assert {10, 4} <= set(applicants["verw"]) | set(applicants["laufkont"])  # unknown codes
    for rows in (applicants, applicants.iloc[1_000:1_007], applicants.iloc[:1]):
        own = model.predict_proba(rows)[:, 1]
        got = fast(rows)
        assert got.dtype == own.dtype
        np.testing.assert_array_equal(got, own)  # exact, not approximately
    checked = CheckedProba(model)
    np.testing.assert_array_equal(checked(applicants), model.predict_proba(applicants)[:, 1])
    assert checked.fast


def test_fractions_and_gaps_are_scored_by_the_models_own_path(
    train: pd.DataFrame, applicants: pd.DataFrame
) -> None:
    """The fast path mirrors integer columns only: a frame with a fraction (or a gap) is
    scored by the model itself, before and after the fast path was checked, never cut to an
    integer."""
    model = fitted("logistic_regression", train)
    checked = CheckedProba(model)
    fractional = applicants.head(50).astype({"hoehe": float})
    fractional.loc[fractional.index[::2], "hoehe"] += 0.5
    for rows in (fractional, applicants, fractional.head(1)):
        np.testing.assert_array_equal(checked(rows), model.predict_proba(rows)[:, 1])
    assert checked.fast  # checked on the whole numbers, still unused for fractions


def test_structures_it_does_not_mirror_keep_the_models_own_path(train: pd.DataFrame) -> None:
    X, y = train[list(FEATURES)], target_bad(train[TARGET])
    plain = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    strict = make_pipeline(
        ColumnTransformer([("n", OneHotEncoder(sparse_output=False), ["verw"])]),
        LogisticRegression(),
    ).fit(X, y)
    dropped = make_pipeline(
        ColumnTransformer(
            [
                (
                    "n",
                    OneHotEncoder(sparse_output=False, handle_unknown="ignore", drop="first"),
                    ["verw"],
                )
            ]
        ),
        LogisticRegression(),
    ).fit(X, y)
    for model in (plain, strict, dropped, LogisticRegression().fit(X, y)):
        assert compile_proba(model) is None
        checked = CheckedProba(model)
        np.testing.assert_array_equal(checked(X), model.predict_proba(X)[:, 1])
        assert not checked.fast


def test_a_fast_path_that_differs_on_the_first_rows_is_dropped(
    train: pd.DataFrame, applicants: pd.DataFrame
) -> None:
    model = fitted("logistic_regression", train)
    checked = CheckedProba(model)
    fast = compile_proba(model)
    assert fast is not None
    checked._fast = lambda rows: np.nextafter(fast(rows), 1.0)  # one ulp off
    own = model.predict_proba(applicants)[:, 1]
    np.testing.assert_array_equal(checked(applicants.iloc[:500]), own[:500])
    assert not checked.fast
    np.testing.assert_array_equal(checked(applicants), own)


def test_the_regression_mirror_leaves_what_scikit_learn_refuses_to_it(
    train: pd.DataFrame,
) -> None:
    """The logistic regression's own product and expit, bit for bit; a matrix that is not
    finite float64 of the fitted width goes to scikit-learn, which refuses it its own way."""
    from credit_runtime.fast_scoring import NotWholeNumbers, _linear

    X, y = train[list(FEATURES)].to_numpy(dtype=float), target_bad(train[TARGET])
    regression = LogisticRegression(max_iter=500).fit(X, y)
    mirror = _linear(regression)
    assert mirror is not None
    for rows in (X, X[:1], np.asfortranarray(X[:7])):
        np.testing.assert_array_equal(mirror(rows), regression.predict_proba(rows))
    nan = np.where(X[:2] > 2, np.nan, X[:2])
    for bad in (X[:2].astype(np.float32), X[:2, :-1], nan, X[:0]):
        with pytest.raises(NotWholeNumbers):
            mirror(bad)
    three = LogisticRegression(max_iter=500).fit(X, np.arange(len(X)) % 3)
    assert _linear(three) is None  # multinomial: scikit-learn's own softmax


def test_row_sums_are_pandas_sums_to_the_last_bit() -> None:
    from credit_runtime.scorecard import row_sums

    rng = np.random.default_rng(3)
    for trial in range(2_000):
        rows, cols = int(rng.integers(1, 40)), int(rng.integers(1, 30))
        values = rng.normal(size=(rows, cols)) * 10 ** rng.uniform(-3, 6, size=cols)
        if trial % 4 == 0:
            values[rng.random(values.shape) < 0.1] = np.nan  # pandas counts them as 0
        frame = pd.DataFrame(values, columns=[f"c{i}" for i in range(cols)])
        expected = frame.sum(axis=1).to_numpy()
        np.testing.assert_array_equal(row_sums(frame), expected)


def test_arrow_text_ids_are_tallied_like_pandas_hash() -> None:
    ids = pd.Series(["A-1", "A-2", None, "Müller, 3", "", "A-1", None, "", "A-22"], dtype="str")
    assert _arrow_text_hash(ids) is not None
    tally = IdTally()
    for start in range(0, len(ids), 4):  # chunks: Arrow slices with an offset
        tally.add(ids.iloc[start : start + 4])
    by_pandas = pd.util.hash_pandas_object(ids, index=False).to_numpy()
    assert tally.duplicates == len(by_pandas) - len(np.unique(by_pandas)) == 3
    # FNV-1a 64's published test vectors
    hashes = _arrow_text_hash(pd.Series(["", "a", "foobar"], dtype="str"))
    assert [int(h) for h in hashes] == [0xCBF29CE484222325, 0xAF63DC4C8601EC8C, 0x85944171F73967E8]
    numbers = IdTally()
    numbers.add(pd.Series([1, 2, 2, 3]))
    assert _arrow_text_hash(pd.Series([1, 2])) is None and numbers.duplicates == 1


def test_a_small_file_is_cut_for_every_worker_and_a_large_one_is_not() -> None:
    assert rows_per_chunk(50_000, 100_000, 2) == 25_000
    assert rows_per_chunk(50_000, 10_000_000, 2) == 50_000
    assert rows_per_chunk(50_000, 1_000, 2) == MIN_CHUNK_ROWS
    assert rows_per_chunk(300, 2_500, 2) == 300  # a size asked for is kept
    assert rows_per_chunk(50_000, None, 2) == rows_per_chunk(50_000, 100_000, 1) == 50_000


def test_a_large_forest_batch_split_by_rows_is_the_forests_own_proba_bit_for_bit(
    train: pd.DataFrame,
) -> None:
    """Above PARALLEL_ROWS the forest scores slices of rows in threads: every row still
    sums its trees in order, so P(bad) is scikit-learn's own, whatever the slicing."""
    from credit_runtime import fast_scoring

    model = fitted("random_forest", train)
    many = synthesize(fast_scoring.PARALLEL_ROWS + 1_001, seed=8)[list(FEATURES)]
    assert len(fast_scoring._row_slices(len(many), cores=2)) == 2
    fast = compile_proba(model)
    assert fast is not None
    np.testing.assert_array_equal(fast(many), model.predict_proba(many)[:, 1])


@pytest.mark.parametrize(
    ("n", "cores", "parts"),
    [(0, 2, 1), (19_999, 2, 1), (20_000, 2, 2), (20_000, 8, 2), (100_000, 1, 1), (100_001, 3, 3)],
)
def test_row_slices_cover_every_row_once(n: int, cores: int, parts: int) -> None:
    from credit_runtime.fast_scoring import _row_slices

    slices = _row_slices(n, cores=cores)
    assert len(slices) == parts
    assert [i for s in slices for i in range(n)[s]] == list(range(n))
