from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from tests.schema_frames import synthetic

from credit_mlops.data import drift, shifts
from credit_mlops.data.checks import validate_frame as validate
from credit_mlops.data.described import default
from credit_mlops.data.schema import FEATURES, TARGET
from credit_mlops.monitor import build, psi, reference


@pytest.fixture(scope="module")
def source():  # type: ignore[no-untyped-def]
    frame = synthetic(1000, seed=11)
    return frame[list(FEATURES)], frame[TARGET].to_numpy()


def _planned(*names: str) -> list[shifts.Shift]:
    return shifts.resolve(names, default())


def _psi(X, new, column: str) -> float:  # type: ignore[no-untyped-def]
    ref = build.from_training(X, np.linspace(0, 1, len(X)), 0.5)
    dist = next(d for d in ref.columns if d.name == column)
    return psi.psi(dist.shares, psi.shares(dist.counts(new[column].to_numpy()).tolist()))


def test_same_seed_same_file_and_schema_holds(source) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    a = drift.drifted(X, y, rows=500, shifts=_planned("younger"), seed=3)
    b = drift.drifted(X, y, rows=500, shifts=_planned("younger"), seed=3)
    assert a.equals(b) and list(a.columns) == list(FEATURES) and TARGET not in a
    validate(a, source="drift", features_only=True, min_rows_per_class=0)
    assert not a.equals(drift.drifted(X, y, rows=500, shifts=_planned("younger"), seed=4))


def test_unshifted_rows_are_new_but_alike(source) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    new = drift.drifted(X, y, rows=1000, shifts=_planned("none"), seed=0)
    real = {tuple(r) for r in X.itertuples(index=False)}
    copied = sum(tuple(r) in real for r in new.itertuples(index=False))
    assert copied < 10  # rows are recombined, not copied
    assert max(_psi(X, new, c) for c in FEATURES) < 0.10


@pytest.mark.parametrize(
    ("shift", "column"), [("younger", "alter"), ("longer", "laufzeit"), ("purpose", "verw")]
)
def test_each_shift_moves_its_column_only(source, shift: str, column: str) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    new = drift.drifted(X, y, rows=1000, shifts=_planned(shift), seed=0)
    assert _psi(X, new, column) > 0.25
    others = [c for c in FEATURES if c != column]
    assert max(_psi(X, new, c) for c in others) < 0.10


def test_shift_direction(source) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    base = drift.drifted(X, y, rows=1000, shifts=_planned("none"), seed=0)
    young = drift.drifted(X, y, rows=1000, shifts=_planned("younger"), seed=0)
    long = drift.drifted(X, y, rows=1000, shifts=_planned("longer"), seed=0)
    assert young["alter"].mean() < 0.75 * base["alter"].mean() and young["alter"].min() >= 18
    assert long["laufzeit"].mean() > 1.4 * base["laufzeit"].mean()
    assert long["laufzeit"].max() <= 120


def test_bad_requests_are_refused(source) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    with pytest.raises(ValueError, match="at least 1"):
        drift.drifted(X, y, rows=0, shifts=[], seed=0)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("older", "unknown shift 'older'; give none, younger, longer, purpose, or COLUMN*"),
        ("income*2", "no column 'income' in the data description"),
        ("verw*2", "'verw' is nominal; scale a numeric column by a factor >= 0, or draw"),
        ("alter*-1", "a negative factor"),
        ("alter*x", "the factor 'x' is not a number"),
        ("alter=1@0.5", "'alter' is numeric; scale it with alter*FACTOR"),
        ("verw=1,99@0.5", "'verw' has no code(s) 99; its codes are 0, 1, 2"),
        ("verw=1@1.5", "the share is a fraction above 0, at most 1"),
        ("verw=1@nan", "the share 'nan' is not a number"),
    ],
)
def test_shifts_that_cannot_be_planted_are_named(text: str, wrong: str) -> None:
    with pytest.raises(ValueError, match=re.escape(wrong)):
        _planned(text)


def test_a_shift_by_column_equals_the_named_one(source) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    by_name = drift.drifted(X, y, rows=800, shifts=_planned("younger", "purpose"), seed=5)
    spelled = _planned("age*0.7", "verw=0,5,8,9,10@0.6")  # an alias names the column too
    assert by_name.equals(drift.drifted(X, y, rows=800, shifts=spelled, seed=5))
    mixed = drift.drifted(X, y, rows=2000, shifts=_planned("telef=2@1"), seed=1)
    assert set(mixed["telef"]) == {2}


def test_text_codes_and_gaps_shift_too() -> None:
    from credit_mlops.data.description import parse

    described = parse(
        {
            "name": "own",
            "target": {"column": "status", "bad": ["bad"], "good": ["good"]},
            "columns": {
                "housing": {"kind": "nominal", "codes": {"own": "own", "rent": "rent"}},
                "income": {"kind": "numeric", "range": [0, 1000], "missing": True},
            },
            "shifts": {"renters": ["housing=rent@1", "income*3"]},
        },
        source="test",
    )
    X = pd.DataFrame({"housing": ["own", "rent"] * 50, "income": [100.0, np.nan] * 50})
    y = np.array([0, 1] * 50)
    out = drift.drifted(X, y, rows=300, shifts=shifts.resolve(["renters"], described), seed=2)
    assert set(out["housing"]) == {"rent"}
    assert out["income"].isna().any() and out["income"].max() <= 1000
    assert set(out["income"].dropna()) <= {300.0}


def test_reference_module_is_importable_without_heavy_libraries() -> None:
    assert reference.ARTIFACT == "monitoring/reference.json"
