"""The scoring runtime on its own: a fitted pipeline, the data description, the decision, the
score, the reasons and the refusals (no MLflow store needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.schema import DEFAULT, FEATURES
from credit_runtime import InvalidInput
from credit_runtime.description import Description
from credit_runtime.model import CreditModel, Scale


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return synthetic(300, seed=3)


@pytest.fixture(scope="module")
def model(frame: pd.DataFrame) -> CreditModel:
    from credit_mlops.explain.background import to_json
    from credit_mlops.modeling.build import PipelineConfig, build_pipeline, target_bad
    from credit_mlops.modeling.decision import with_decision
    from credit_runtime.pyfunc import background_frame

    X = frame[list(FEATURES)]
    pipeline = with_decision(build_pipeline("logistic_regression", PipelineConfig(7, None)), 0.3)
    pipeline.fit(X, target_bad(frame["kredit"]))
    return CreditModel(
        pipeline,
        description=Description.from_json(DEFAULT.to_json()),
        key="logistic_regression",
        background=background_frame(to_json(X, 7)),
    )


def test_the_whole_decision_one_row_per_applicant(model: CreditModel, frame: pd.DataFrame) -> None:
    applicants = frame[list(FEATURES)].head(20)
    out = model.predict(applicants, {"reasons": 2})
    assert list(out.columns) == ["p_bad", "decision", "score", "reason_1", "reason_2"]
    expected = model.estimator.predict_proba(applicants)[:, 1]
    np.testing.assert_array_equal(out["p_bad"].to_numpy(), expected)
    assert out["decision"].tolist() == np.where(expected >= 0.3, "reject", "accept").tolist()
    # P(bad) on the points scale: 600 at 50:1 good:bad, 20 points per doubling
    odds = (1 - expected) / expected
    np.testing.assert_allclose(out["score"], 600 + 20 / np.log(2) * np.log(odds / 50))
    named = out["reason_1"].dropna()
    assert len(named) and all(": " in r for r in named)  # `status: no checking account`
    assert list(model.predict(applicants, {"reasons": 0}).columns) == ["p_bad", "decision", "score"]
    assert "reason_4" in model.predict(applicants).columns  # the model's default, 4


def test_integer_valued_floats_and_english_names_are_accepted(
    model: CreditModel, frame: pd.DataFrame
) -> None:
    applicants = frame[list(FEATURES)].head(5)
    base = model.predict(applicants, {"reasons": 0})
    english = applicants.astype(float).rename(columns={"laufkont": "status", "hoehe": "amount"})
    pd.testing.assert_frame_equal(model.predict(english, {"reasons": 0}), base)


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("laufkont", 9, "row 2, column 'laufkont': 9 is not one of its codes (codes: 1, 2, 3, 4)"),
        ("hoehe", -5000, "row 2, column 'hoehe': -5000 is below 1"),
        ("hoehe", 1049.5, "row 2, column 'hoehe': 1049.5 is not a whole number"),
        ("moral", None, "row 2, column 'moral': the value is missing"),
        ("verw", "car", "row 2, column 'verw': 'car' is not a number"),
    ],
)
def test_what_credit_predict_refuses_is_refused_naming_row_and_column(
    model: CreditModel, frame: pd.DataFrame, column: str, value: object, says: str
) -> None:
    applicants = frame[list(FEATURES)].head(4).astype(object)
    applicants.loc[applicants.index[2], column] = value
    with pytest.raises(InvalidInput) as info:
        model.predict(applicants)
    assert str(info.value).startswith(says)
    assert (info.value.row, info.value.column) == (2, column)


def test_whole_number_frames_are_checked_at_once_exactly_as_column_by_column(
    model: CreditModel, frame: pd.DataFrame
) -> None:
    """An all-integer frame is checked in one pass over its matrix; a frame with one more
    (ignored) float column is checked column by column. Both accept and refuse alike, with
    the same message, and give the same checked frame."""
    description = model.description
    assert description is not None
    clean = frame[list(FEATURES)].head(40).reset_index(drop=True)
    corruptions = [
        ("laufkont", 9), ("laufkont", 0), ("hoehe", -5000), ("hoehe", 10**9), ("alter", 2**60),
        ("laufzeit", -(2**62)), ("verw", 11), ("verw", 4),
    ]  # fmt: skip
    for column, value in [(None, None), *corruptions]:
        applicants = clean.copy()
        if column is not None:
            applicants.loc[17, column] = value
        assert set(applicants.dtypes) == {np.dtype("int64")}
        mixed = applicants.assign(ignored=0.5)
        outcomes = []
        for given in (applicants, mixed):
            try:
                outcomes.append(description.validate(given))
            except InvalidInput as exc:
                outcomes.append(exc.message)
        if isinstance(outcomes[0], str):
            assert outcomes[0] == outcomes[1] and "row 17" in outcomes[0], (column, value)
        else:
            pd.testing.assert_frame_equal(outcomes[0], outcomes[1], check_exact=True)
            assert column is None or column == "verw", (column, value)


def test_whole_numbers_beyond_float64s_are_left_to_the_exact_checks() -> None:
    """2**53 + 1 is 2**53 as a float: the one-pass check never accepts such a value, the
    column by column check compares it exactly (and refuses it here)."""
    description = Description.from_json(
        {"columns": {"a": {"range": [0, 2**53], "integer": True}, "b": {"kind": "numeric"}}}
    )
    for value in (2**53 + 1, 2**62):
        with pytest.raises(InvalidInput, match="row 1, column 'a'"):
            description.validate(pd.DataFrame({"a": [5, value], "b": [1, 2]}))
    edge = pd.DataFrame({"a": [0, 2**53], "b": [-(2**62), 2**62]})
    pd.testing.assert_frame_equal(description.validate(edge), edge)


def test_no_applicants_give_an_empty_decision(model: CreditModel, frame: pd.DataFrame) -> None:
    out = model.predict(frame[list(FEATURES)].head(0), {"reasons": 2})
    assert list(out.columns) == ["p_bad", "decision", "score", "reason_1", "reason_2"]
    assert len(out) == 0 and out["p_bad"].dtype == np.float64


def test_a_missing_column_is_named(model: CreditModel, frame: pd.DataFrame) -> None:
    with pytest.raises(InvalidInput, match=r"missing column.*alter") as info:
        model.predict(frame[list(FEATURES)].drop(columns="alter").head(2))
    assert info.value.column == "alter" and info.value.row is None


@pytest.mark.parametrize("k", [-1, 2.5, "4", True, 21])
def test_a_bad_reasons_parameter_is_refused(
    model: CreditModel, frame: pd.DataFrame, k: object
) -> None:
    with pytest.raises(InvalidInput, match="parameter 'reasons'"):
        model.predict(frame[list(FEATURES)].head(1), {"reasons": k})


def test_a_model_without_description_decides_and_warns_once(
    model: CreditModel, frame: pd.DataFrame
) -> None:
    bare = CreditModel(model.estimator, columns=list(FEATURES))
    applicants = frame[list(FEATURES)].head(3)
    with pytest.warns(UserWarning, match="no data description") as caught:
        out = bare.predict(applicants)
        bare.predict(applicants)
    assert len(caught) == 1
    assert list(out.columns) == ["p_bad", "decision", "score"]  # no reasons without it


def test_the_scale_is_the_settings_scale() -> None:
    scale = Scale(pdo=40, base_score=500, base_odds=10)
    p = np.array([1 / 11, 1 / 21])  # 10:1 and 20:1 good:bad
    np.testing.assert_allclose(scale.points(p), [500, 540])
    assert np.isfinite(scale.points(np.array([0.0, 1.0]))).all()


def test_the_runtime_imports_neither_mlflow_nor_credit_mlops() -> None:
    code = (
        "import sys, credit_runtime.pyfunc, credit_runtime.model, credit_runtime.description; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('mlflow', 'credit_mlops')]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("decision.json", '{"scale": {"foo": 1}}', "foo"),
        ("decision.json", '{"reasons": "x"}', "'reasons'"),
        ("decision.json", '{"threshold": "high"}', "'threshold'"),
        ("decision.json", "[1, 2]", "expected a JSON object"),
        ("decision.json", "\udcff", ""),  # not UTF-8
        ("description.json", '{"columns": 7}', ""),
        ("background.json", '{"rows": [[1]], "columns": ["a", "b"], "dtypes": []}', ""),
    ],
)
def test_a_damaged_file_beside_the_model_is_named(
    model: CreditModel, tmp_path: Path, name: str, text: str, needle: str
) -> None:
    """What is logged beside the estimator is input too: a file changed after logging
    raises DamagedModel naming the file, never a TypeError from deep inside."""
    from credit_runtime.errors import DamagedModel
    from credit_runtime.pyfunc import with_files

    folder = tmp_path / "credit"
    folder.mkdir()
    (folder / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(DamagedModel, match=f"credit/{name}") as caught:
        with_files(model.estimator, folder)
    assert needle in str(caught.value) and "\n" not in str(caught.value)
