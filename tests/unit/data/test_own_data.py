"""Data of other shapes through a drafted description: validation, typing, preprocessing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.own_data import numeric_default, text_with_gaps, wide, write_csv

from credit_mlops.data import described
from credit_mlops.data import description as desc
from credit_mlops.data.dataset import load_dataset
from credit_mlops.data.draft import describe_file, draft
from credit_mlops.errors import DataError
from credit_mlops.modeling.features import preprocessor


@pytest.fixture
def gaps(tmp_path: Path) -> tuple[Path, desc.Description]:
    path = write_csv(text_with_gaps(), tmp_path / "apps.csv", sep=";")
    describe_file(path, target="status", bad="bad", output=tmp_path / "apps.toml")
    return path, described.load(tmp_path / "apps.toml")


def test_draft_infers_kinds_id_missing_and_marks_review(
    gaps: tuple[Path, desc.Description],
) -> None:
    _, d = gaps
    assert d.id == "applicant" and d.target.bad == ["bad"] and d.target.good == ["good"]
    assert {n: c.kind for n, c in d.columns.items()} == {
        "income": "numeric",
        "housing": "nominal",
        "years_at_job": "ordinal",
        "age": "numeric",
    }
    assert d.columns["income"].missing and d.columns["housing"].missing
    assert not d.columns["age"].missing and d.columns["age"].integer
    assert d.columns["years_at_job"].review is not None
    low, high = d.columns["age"].range or (0, 0)
    assert low <= 18 and high >= 79


def test_drafted_description_loads_the_file_unedited(gaps: tuple[Path, desc.Description]) -> None:
    path, d = gaps
    ds = load_dataset(path, description=d)
    assert list(ds.X.columns) == ["income", "housing", "years_at_job", "age"]
    assert ds.X["housing"].dtype == object and ds.X["housing"].isna().sum() == 30
    assert ds.X["income"].dtype == "float64" and ds.X["age"].dtype == "int64"
    assert set(ds.y.unique()) == {0, 1}
    assert int((ds.y == 0).sum()) == int((text_with_gaps()["status"] == "bad").sum())


def test_preprocessing_imputes_inside_the_pipeline(gaps: tuple[Path, desc.Description]) -> None:
    path, d = gaps
    ds = load_dataset(path, description=d)
    out = preprocessor(d).fit(ds.X).transform(ds.X)
    assert np.isfinite(out).all()
    names = list(preprocessor(d).fit(ds.X).get_feature_names_out())
    assert any("missingindicator" in n for n in names)  # income's indicator
    assert any(n.startswith("nominal__housing_") for n in names)


def test_xgboost_takes_gaps_itself_unless_the_rows_are_oversampled(
    gaps: tuple[Path, desc.Description],
) -> None:
    from credit_mlops.explain.background import to_json
    from credit_mlops.modeling.build import PipelineConfig, ResamplingConfig, build_pipeline
    from credit_mlops.modeling.build import target_bad as bad_of
    from credit_runtime.description import Description
    from credit_runtime.model import CreditModel
    from credit_runtime.pyfunc import background_frame

    path, d = gaps
    ds = load_dataset(path, description=d)
    plain = PipelineConfig(seed=3, resampling=None, description=d)
    names = list(build_pipeline("xgboost", plain)[0].fit(ds.X).get_feature_names_out())
    assert not any("missingindicator" in n for n in names)  # income reaches it as NaN
    gapped = build_pipeline("xgboost", plain)[0].fit(ds.X).transform(ds.X)
    assert np.isnan(gapped).sum() == ds.X["income"].isna().sum()
    smote = PipelineConfig(seed=3, resampling=ResamplingConfig("BorderlineSMOTE"), description=d)
    assert np.isfinite(build_pipeline("xgboost", smote)[0].fit(ds.X).transform(ds.X)).all()
    assert np.isfinite(build_pipeline("logistic_regression", plain)[0].fit_transform(ds.X)).all()
    model = build_pipeline("xgboost", plain).fit(ds.X, bad_of(ds.y))
    decided = CreditModel(
        model, description=Description.from_json(d.to_json()), key="xgboost"
    ).decide(ds.X, {"reasons": 3})
    words = {w for rank in decided.reasons for w in rank if isinstance(w, str)}
    assert "income: missing" in words and not any("nan" in w for w in words)
    imputed = build_pipeline("logistic_regression", plain).fit(ds.X, bad_of(ds.y))
    linear = CreditModel(
        imputed,
        description=Description.from_json(d.to_json()),
        key="logistic_regression",
        background=background_frame(to_json(ds.X, 7)),
    )
    said = {w for rank in linear.decide(ds.X, {"reasons": 4}).reasons for w in rank if w}
    assert all(": " in w and "indicator" not in w for w in said)  # counted for its column


def unknown_code(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[3, "housing"] = "castle"
    return frame


def gap_in(column: str) -> object:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[4, column] = np.nan
        return frame

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            unknown_code,
            r"column 'housing' has 1 codes not in the data description .*line 5 \('castle'\)",
        ),
        (gap_in("age"), r"column 'age' has missing values at line\(s\) 6 .*missing = true"),
        (
            lambda f: f.assign(status=f["status"].replace({"good": "ok"})),
            r"target 'status' must be binary \(good good, bad bad\); found \['ok'\]",
        ),
        (lambda f: f.drop(columns=["age"]), r"missing column\(s\) age"),
        (lambda f: f.assign(extra=1), r"unexpected column\(s\) extra: not in the data description"),
        (lambda f: f.assign(age=f["age"] + 500), r"column 'age' has \d+ values outside"),
    ],
)
def test_files_that_break_the_description_are_refused_with_rows(
    gaps: tuple[Path, desc.Description], tmp_path: Path, change: object, message: str
) -> None:
    _, d = gaps
    frame = change(text_with_gaps())  # type: ignore[operator]
    path = write_csv(frame, tmp_path / "bad.csv")
    with pytest.raises(DataError, match=message):
        load_dataset(path, description=d)


def test_too_few_rows_of_a_class(tmp_path: Path) -> None:
    frame = numeric_default()
    frame = pd.concat([frame[frame["default"] == 0], frame[frame["default"] == 1].head(10)])
    path = write_csv(frame, tmp_path / "few.csv")
    d = draft(path, target="default", bad="1").description
    with pytest.raises(DataError, match=r"target class 1 has 10 rows, fewer than the minimum 30"):
        load_dataset(path, description=d)


def test_numeric_and_wide_drafts(tmp_path: Path) -> None:
    num = draft(write_csv(numeric_default(), tmp_path / "n.csv"), target="default", bad="1")
    assert num.description.target.bad == [1] and num.description.target.good == [0]
    assert set(c.kind for c in num.description.columns.values()) == {"numeric"}
    broad = draft(write_csv(wide(), tmp_path / "w.csv"), target="bad", bad="1").description
    assert len(broad.columns) == 64
    assert broad.columns["f00"].kind == "ordinal" and broad.columns["f01"].kind == "numeric"


def test_describe_refuses_a_bad_value_not_in_the_target(tmp_path: Path) -> None:
    path = write_csv(numeric_default(), tmp_path / "n.csv")
    with pytest.raises(DataError, match=r"--bad 'yes' is not a value of 'default'"):
        draft(path, target="default", bad="yes")
    with pytest.raises(DataError, match=r"no column 'target' for --target"):
        draft(path, target="target", bad="1")
    with pytest.raises(DataError, match=r"--good and --bad are both '1'; give two values"):
        draft(path, target="default", bad="1", good="1")


@pytest.mark.parametrize("label", ["monthly\rincome", "x\u202ey", "a\x00b"])
def test_a_label_with_a_hidden_character_is_refused(label: str) -> None:
    """Labels end up in reasons, reports and charts: only printable text."""
    from credit_mlops.data.description import parse
    from credit_mlops.data.schema import DEFAULT

    raw = DEFAULT.to_json()
    first = next(iter(raw["columns"]))
    raw["columns"][first]["label"] = label
    with pytest.raises(Exception, match="control character or an invisible one"):
        parse(raw, source="test")


def test_fairness_names_its_metrics_with_what_mlflow_accepts() -> None:
    from credit_mlops.fairness.assess import slug_of

    assert slug_of("age band") == "age_band"
    assert slug_of("<b>sex & x</b>") == "_b_sex___x__b_"  # no "/": no ".." path
    assert slug_of("a/../b") == "a_.._b"
    assert slug_of("") == "_"
