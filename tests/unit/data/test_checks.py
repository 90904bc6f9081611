"""Vectorised validation: the same refusals, with column, count and first rows named."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data.checks import check_target, validate_frame
from credit_mlops.data.schema import FEATURES, TARGET
from credit_mlops.errors import DataError


def test_valid_frame_passes(synthetic_frame: pd.DataFrame) -> None:
    validate_frame(synthetic_frame, source="s")


def test_the_last_row_is_checked_too(synthetic_frame: pd.DataFrame) -> None:
    frame = pd.concat([synthetic_frame] * 50, ignore_index=True)  # 20,000 rows
    frame.loc[len(frame) - 1, "telef"] = 3
    with pytest.raises(DataError, match=r"'telef' has 1 codes outside 1–2: line 20001 \(3\)"):
        validate_frame(frame, source="s")


def test_count_and_first_five_rows_are_named(synthetic_frame: pd.DataFrame) -> None:
    frame = synthetic_frame.copy()
    frame.loc[range(10, 80, 10), "verw"] = 11
    with pytest.raises(DataError) as info:
        validate_frame(frame, source="s")
    message = str(info.value)
    assert "column 'verw' has 7 codes outside 0–10" in message
    assert "line 12 (11), line 22 (11), line 32 (11), line 42 (11), line 52 (11);" in message


def test_text_in_a_code_column(synthetic_frame: pd.DataFrame) -> None:
    frame = synthetic_frame.astype(object)
    frame.loc[4, "alter"] = "forty"
    with pytest.raises(DataError, match=r"'alter' must hold integer codes; .*line 6 \('forty'\)"):
        validate_frame(frame, source="s")


def test_fractions_are_refused_but_integral_floats_pass(synthetic_frame: pd.DataFrame) -> None:
    validate_frame(synthetic_frame.astype("float64"), source="s")
    frame = synthetic_frame.astype("float64")
    frame.loc[2, "rate"] = 2.5
    with pytest.raises(DataError, match=r"'rate' must hold integer codes; not integers at line 4"):
        validate_frame(frame, source="s")


@pytest.mark.parametrize(("column", "shown"), [("hoehe", "1e+24"), ("laufkont", "1e+24")])
def test_a_huge_value_is_shown_as_written_not_wrapped(
    synthetic_frame: pd.DataFrame, column: str, shown: str
) -> None:
    import warnings

    frame = synthetic_frame.astype("float64")
    frame.loc[0, column] = 1e24
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in cast" either
        with pytest.raises(DataError, match=rf"'{column}' has .* line 2 \({re.escape(shown)}\)"):
            validate_frame(frame, source="s")


def test_missing_values_name_the_lines(synthetic_frame: pd.DataFrame) -> None:
    frame = synthetic_frame.astype("float64")
    frame.loc[[7, 9], "beruf"] = np.nan
    with pytest.raises(DataError, match=r"'beruf' has missing values at line\(s\) 9, 11"):
        validate_frame(frame, source="s")


def test_columns(synthetic_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"missing column\(s\) telef"):
        validate_frame(synthetic_frame.drop(columns=["telef"]), source="s")
    with pytest.raises(DataError, match=r"unexpected column\(s\) extra"):
        validate_frame(synthetic_frame.assign(extra=1), source="s")
    with pytest.raises(DataError, match="no data rows"):
        validate_frame(synthetic_frame.head(0), source="s")


def test_features_only_ignores_the_target(synthetic_frame: pd.DataFrame) -> None:
    validate_frame(synthetic_frame[list(FEATURES)], source="s", features_only=True)
    with pytest.raises(DataError, match=r"missing column\(s\) kredit"):
        validate_frame(synthetic_frame[list(FEATURES)], source="s")


def test_target_rules(synthetic_frame: pd.DataFrame) -> None:
    y = synthetic_frame[TARGET].copy()
    check_target(y, "s", 30)
    with pytest.raises(DataError, match=r"must be binary .* found \[2\]"):
        check_target(y.replace({0: 2}), "s", 30)
    with pytest.raises(DataError, match="has a single class"):
        check_target(y * 0 + 1, "s", 30)
    few = pd.concat([y[y == 1], y[y == 0].head(5)])
    with pytest.raises(DataError, match=r"target class 0 has 5 rows, fewer than the minimum 30"):
        check_target(few, "s", 30)
