"""Ids a CSV would not give back as they are (a control or invisible character, written as
`\\u200b`-style text) are refused before scores are written; others pass, whatever script."""

from __future__ import annotations

import pandas as pd
import pytest

from credit_mlops.errors import InputError
from credit_mlops.escaping import csv_read_text, csv_text
from credit_mlops.lifecycle.predict_checks import check_csv_ids


@pytest.mark.parametrize("bad", ["A\u200bB", "x\u202ey", "\ufeffid", "a\x1bb", "a\x00b"])
def test_an_id_a_csv_would_rewrite_is_refused(bad: str) -> None:
    ids = pd.Series(["plain", "A\\u200bB", bad], dtype="str")
    with pytest.raises(InputError, match="a character a CSV shows as an escape") as caught:
        check_csv_ids(ids, "id")
    assert "Parquet" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("good", ["Müller-1", "=cmd", "+1+1", "x y", "a,b", "李四", "-0.5", ""])
def test_ids_a_csv_gives_back_pass(good: str) -> None:
    check_csv_ids(pd.Series([good, None], dtype="str"), "id")
    check_csv_ids(pd.Series([1, 2, 3]), "id")  # numbers: nothing to change
    assert csv_read_text(csv_text(good)) == good
