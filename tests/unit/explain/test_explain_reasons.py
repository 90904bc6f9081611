"""Original-column mapping, readable names from the shipped code table, and reason columns."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data import random_rows as random_rows_mod
from credit_mlops.data import schema as data
from credit_mlops.errors import InputError
from credit_mlops.explain.anatomy import anatomy
from credit_mlops.explain.attribution import Attribution
from credit_mlops.explain.codetable import CODES, ENGLISH, describe, english
from credit_mlops.explain.reasons import check_count, explain_count, reason_columns, reasons
from credit_mlops.modeling.features import preprocessor

FEATURES = list(data.FEATURES)


def test_readable_names_from_the_code_table() -> None:
    assert describe("laufkont", 1) == "status: no checking account"
    assert describe("laufzeit", 48) == "duration: 48 months"
    assert describe("hoehe", 1049.0) == "amount: 1049 DM"
    assert describe("famges", 2) == "personal_status_sex: female : non-single or male : single"
    assert describe("gastarb", 1) == "foreign_worker: yes"
    assert describe("verw", 99) == "purpose: 99"  # a code the table does not know
    assert describe("pc_1", 0.25) == "pc_1: 0.25"  # a column of the seed's processed inputs
    assert english("alter") == "age"


def test_the_shipped_code_table_agrees_with_the_schema() -> None:
    for column in data.COLUMNS:
        assert ENGLISH[column.name] == column.english
        if column.kind != "numeric":
            assert set(CODES[column.name]) == set(range(column.low, column.high + 1)), column.name


def test_the_shipped_code_table_is_the_published_one(real_data_path: Path) -> None:
    text = (real_data_path.parent / "codetable.txt").read_text()
    published: dict[str, dict[int, str]] = {}
    current = ""
    for line in text.splitlines():
        header = re.match(r"\$`(\w+) = (\w+)`", line)
        if header:
            current = header.group(1)
            assert ENGLISH[current] == header.group(2)
            continue
        code = re.match(r"\s*(\d+) : (.*\S)\s*$", line)
        if code and current:
            published.setdefault(current, {})[int(code.group(1))] = code.group(2)
    normalise = {k: {c: re.sub(r"\s+", " ", v) for c, v in m.items()} for k, m in published.items()}
    ours = {k: {c: re.sub(r"\s+", " ", v) for c, v in m.items()} for k, m in CODES.items()}
    assert ours == normalise


def test_one_hot_and_scaled_features_map_back_to_their_column() -> None:
    X = random_rows_mod.synthetic(200, seed=2)[FEATURES]
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("preprocess", preprocessor()), ("model", LogisticRegression())])
    pipe.fit(X, (X["laufkont"] == 1).astype(int))
    parts = anatomy(pipe, FEATURES)
    names = dict(zip(parts.feature_names, parts.sources, strict=True))
    assert names["nominal__laufkont_1"] == "laufkont"
    assert names["nominal__verw_10"] == "verw"  # not confused with verw_1
    assert names["numeric__laufzeit"] == "laufzeit"
    assert names["ordinal__gastarb"] == "gastarb"
    assert parts.columns == tuple(FEATURES)
    grouping = parts.grouping()
    assert grouping.shape == (len(parts.feature_names), 20)
    assert grouping.sum(axis=0)[FEATURES.index("laufkont")] == 4
    assert (grouping.sum(axis=1) == 1).all()


def test_shared_prefixes_and_the_seeds_own_preprocessor() -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

    X = pd.DataFrame({"a": [1, 2, 1, 2], "a_b": [3, 4, 4, 3], "c": [0.1, 0.2, 0.3, 0.4]})
    ct = ColumnTransformer(
        [("onehot", OneHotEncoder(sparse_output=False), ["a", "a_b"])],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).fit(X)
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier

    pipe = Pipeline([("pre", ct), ("model", DecisionTreeClassifier())]).fit(X, [0, 1, 0, 1])
    parts = anatomy(pipe, list(X.columns))
    assert parts.sources == ("a", "a", "a_b", "a_b", "c")
    opaque = Pipeline([("pre", FunctionTransformer()), ("model", DecisionTreeClassifier())])
    opaque.fit(X, [0, 1, 0, 1])
    assert anatomy(opaque, list(X.columns)).sources == ("a", "a_b", "c")


def attribution(values: list[list[float]], columns: tuple[str, ...]) -> Attribution:
    v = np.asarray(values, dtype=float)
    return Attribution(v, np.zeros(len(v)), columns, "log-odds", "test", True)


def test_reasons_name_only_columns_that_pushed_towards_rejection() -> None:
    X = pd.DataFrame({"laufkont": [1, 4], "laufzeit": [48, 12], "alter": [22, 60]})
    a = attribution([[0.5, 0.9, -0.2], [-0.1, -0.3, 0.05]], ("laufkont", "laufzeit", "alter"))
    out = reasons(a, X, k=3)
    assert list(out.columns) == reason_columns(3)
    assert out.loc[0, ["reason_1", "reason_2"]].tolist() == [
        "duration: 48 months",
        "status: no checking account",
    ]
    assert pd.isna(out.loc[0, "reason_3"])  # age pushed towards acceptance: not a reason
    assert out.loc[0, "reason_1_value"] == pytest.approx(0.9)
    assert out.loc[1, "reason_1"] == "age: 60 years"
    assert pd.isna(out.loc[1, "reason_2"]) and pd.isna(out.loc[1, "reason_2_value"])


def test_more_reasons_asked_than_columns() -> None:
    X = pd.DataFrame({"telef": [1]})
    out = reasons(attribution([[0.2]], ("telef",)), X, k=4)
    assert out.loc[0, "reason_1"] == "telephone: no"
    assert list(out.columns) == reason_columns(4)


@pytest.mark.parametrize("k", [0, -2])
def test_zero_or_negative_reasons_are_refused(k: int) -> None:
    with pytest.raises(InputError, match="at least 1") as info:
        check_count(k)
    assert info.value.exit_code == 2


def test_explain_with_an_optional_count() -> None:
    assert explain_count(False, None) is None
    assert explain_count(True, None) == 4
    assert explain_count(True, 2) == 2
    with pytest.raises(InputError, match="goes after --explain"):
        explain_count(False, 3)


def test_the_default_count_is_capped_to_the_models_columns_a_typed_one_is_not() -> None:
    """`--explain` alone on a model of 3 columns gives 3 reasons; `--explain 4` is refused,
    naming the 4 the user typed (the default was refused as if typed)."""
    from credit_mlops.errors import InputError
    from credit_mlops.explain.reasons import DefaultCount

    default = explain_count(True, None)
    assert isinstance(default, DefaultCount) and default == 4
    assert check_count(default, 3) == 3 and check_count(default, 30) == 4
    with pytest.raises(InputError, match=r"--explain 4: the number of reasons must be 1\.\.3"):
        check_count(explain_count(True, 4), 3)
