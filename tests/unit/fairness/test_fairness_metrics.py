"""Group rules (age bands, the famges rule), fairlearn metrics, the four-fifths flag, the gate."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from credit_mlops.errors import InputError
from credit_mlops.fairness.gate import parity_refusal
from credit_mlops.fairness.groups import (
    NOT_IDENTIFIABLE,
    band_labels,
    check_attributes,
    check_bands,
    grouping,
)
from credit_mlops.fairness.metrics import fairness

BANDS = {"alter": [25, 35, 50]}


def test_age_bands_and_their_edges() -> None:
    assert band_labels([25, 35, 50]) == ("under 25", "25-34", "35-49", "50 and over")
    X = pd.DataFrame({"alter": [19, 24, 25, 34, 35, 49, 50, 75]})
    labels = grouping(X, "alter", BANDS).labels.tolist()
    assert labels == [
        "under 25", "under 25", "25-34", "25-34", "35-49", "35-49", "50 and over", "50 and over"
    ]  # fmt: skip


def test_famges_code_2_is_not_assigned_a_sex() -> None:
    g = grouping(pd.DataFrame({"famges": [1, 2, 3, 4, 2]}), "famges", BANDS)
    assert g.attribute == "sex"
    assert g.labels.tolist() == ["male", NOT_IDENTIFIABLE, "male", "female", NOT_IDENTIFIABLE]


def test_coded_columns_group_by_their_code_table_label() -> None:
    g = grouping(pd.DataFrame({"gastarb": [1, 2, 2]}), "gastarb", BANDS)
    assert (g.attribute, g.labels.tolist(), g.order) == (
        "foreign_worker",
        ["yes", "no", "no"],
        ("yes", "no"),
    )


@pytest.mark.parametrize("bands", [[35, 25], [25, 25, 50], []])
def test_bands_must_be_strictly_increasing(bands: list[int]) -> None:
    with pytest.raises(InputError, match="bands for alter") as info:
        check_bands("alter", bands)
    assert info.value.exit_code == 2


def test_unknown_or_unbanded_columns_are_refused() -> None:
    columns = ["alter", "gastarb", "hoehe"]
    with pytest.raises(InputError, match="unknown fairness group column 'sexo'"):
        check_attributes(["sexo"], columns, BANDS)
    with pytest.raises(InputError, match="'hoehe' is numeric"):
        check_attributes(["hoehe"], columns, BANDS)
    with pytest.raises(InputError, match="strictly increasing"):
        check_attributes(["alter"], columns, {"alter": [50, 25]})
    check_attributes(["alter", "gastarb"], columns, BANDS)


def block(label: int, n: int, rejected: int, bad: int) -> pd.DataFrame:
    """n rows of wohn code `label`: the first `rejected` rejected, the first `bad` bad."""
    return pd.DataFrame(
        {
            "wohn": [label] * n,
            "reject": [1] * rejected + [0] * (n - rejected),
            "bad": [1] * bad + [0] * (n - bad),
        }
    )


def frame() -> pd.DataFrame:
    # for free: 10 % rejected; rent: 40 % rejected (0.6 / 0.9 = 0.667 < 0.8); own: 20 %;
    return pd.concat(
        [block(1, 100, 10, 20), block(2, 50, 20, 10), block(3, 60, 12, 30)], ignore_index=True
    )


def test_four_fifths_flag_and_fairlearn_disparities() -> None:
    f = frame()
    report = fairness(
        f[["wohn"]], f["bad"].to_numpy(), f["reject"].to_numpy(), 0.5,
        attributes=["wohn"], bands={},
    )  # fmt: skip
    a = report.attributes[0]
    rows = {g.group: g for g in a.groups}
    assert [g.group for g in a.groups] == ["for free", "rent", "own"]
    assert a.most_favoured == "for free"
    assert rows["rent"].accept_ratio == pytest.approx(0.6 / 0.9)
    assert rows["rent"].verdict == "below 0.8"
    assert rows["own"].accept_ratio == pytest.approx(0.8 / 0.9)
    assert rows["own"].verdict == "ok"
    assert a.flagged == ("rent",)
    assert a.parity_difference == pytest.approx(0.4 - 0.1)
    assert a.parity_ratio == pytest.approx(0.6 / 0.9)
    # rejected rows are the first ones, so are the bad ones: TPR and FPR by hand
    assert rows["for free"].tpr == pytest.approx(10 / 20) and rows["for free"].fpr == 0.0
    assert rows["rent"].tpr == 1.0 and rows["rent"].fpr == pytest.approx(10 / 40)
    assert rows["own"].tpr == pytest.approx(12 / 30) and rows["own"].fpr == 0.0
    assert a.equalized_odds_difference == pytest.approx(max(1.0 - 0.4, 0.25))
    # cost 5 per accepted bad, 1 per rejected good
    assert rows["rent"].expected_cost == pytest.approx(10 / 50)
    assert rows["own"].expected_cost == pytest.approx(5 * 18 / 60)
    assert rows["rent"].count == 50 and report.rows == 210


def test_small_and_unidentifiable_groups_get_no_verdict_and_stay_out_of_disparities() -> None:
    rng = np.random.default_rng(0)
    famges = np.array([1] * 80 + [3] * 40 + [4] * 20 + [2] * 60)
    proba = rng.uniform(size=len(famges))
    proba[famges == 2] = 0.99  # everyone not identifiable is rejected: must not count
    bad = (rng.uniform(size=len(famges)) < 0.3).astype(int)
    X = pd.DataFrame({"famges": famges})
    report = fairness(X, bad, proba, 0.5, attributes=["famges"], bands={})
    a = report.attributes[0]
    rows = {g.group: g for g in a.groups}
    assert rows["female"].count == 20 and rows["female"].verdict == "no verdict: n < 30"
    assert math.isnan(rows["female"].accept_ratio)
    assert rows[NOT_IDENTIFIABLE].count == 60
    assert rows[NOT_IDENTIFIABLE].verdict == "no verdict: not identifiable"
    assert rows[NOT_IDENTIFIABLE].reject_rate == 1.0
    assert rows["male"].count == 120
    assert rows["male"].verdict == "no verdict: no other group to compare"
    assert a.most_favoured is None and a.flagged == ()
    assert math.isnan(a.parity_difference)  # one group with a verdict: nothing to compare
    assert any("female (20)" in n for n in a.notes)
    assert any("code 2" in n and "60 rows" in n for n in a.notes)
    assert math.isnan(report.max_parity_difference)


def test_roc_auc_per_group_is_nan_when_a_group_has_one_class() -> None:
    X = pd.DataFrame({"gastarb": [1] * 40 + [2] * 40})
    bad = np.array([0] * 40 + [0, 1] * 20)
    proba = np.linspace(0, 1, 80)
    a = fairness(X, bad, proba, 0.5, attributes=["gastarb"], bands={}).attributes[0]
    rows = {g.group: g for g in a.groups}
    assert math.isnan(rows["yes"].roc_auc) and math.isnan(rows["yes"].tpr)
    assert 0.0 <= rows["no"].roc_auc <= 1.0


def test_the_promotion_gate() -> None:
    assert parity_refusal("xgboost v2", 0.15, "age", None, force=False) is None  # off
    assert parity_refusal("xgboost v2", 0.15, "age", 0.2, force=False) is None
    assert parity_refusal("xgboost v2", 0.15, "age", 0.1, force=True) is None
    message = parity_refusal("xgboost v2", 0.15, "age", 0.1, force=False)
    assert message == (
        "refused: xgboost v2 has a demographic parity difference of 0.1500 (age) on its "
        "holdout, above promote.max_parity_gap 0.1; use --force to promote anyway"
    )
    unmeasured = parity_refusal("xgboost v2", math.nan, None, 0.1, force=False)
    assert unmeasured is not None and "cannot measure xgboost v2" in unmeasured  # one group
    assert parity_refusal("xgboost v2", math.nan, None, 0.1, force=True) is None
    assert parity_refusal("xgboost v2", math.nan, None, None, force=False) is None  # gate off


def test_declared_groups_come_from_the_description() -> None:
    from credit_mlops.data.description import parse

    d = parse(
        {
            "name": "own",
            "target": {"column": "status", "bad": ["bad"], "good": ["good"]},
            "columns": {"gender": {"kind": "nominal", "codes": {"f": "f", "m": "m", "x": "x"}}},
            "protected": {
                "gender": {
                    "label": "sex",
                    "groups": {"female": ["f"], "male": ["m"]},
                    "unidentified": ["x"],
                }
            },
        },
        source="test",
    )
    g = grouping(pd.DataFrame({"gender": ["m", "x", "f"]}), "gender", {}, d)
    assert g.attribute == "sex" and g.order == ("female", "male", NOT_IDENTIFIABLE)
    assert g.labels.tolist() == ["male", NOT_IDENTIFIABLE, "female"]
    assert g.apart == "gender code x (x) does not identify sex"


def test_famges_note_names_the_unidentified_code() -> None:
    g = grouping(pd.DataFrame({"famges": [2]}), "famges", BANDS)
    assert g.apart == "famges code 2 (female : non-single or male : single) does not identify sex"
