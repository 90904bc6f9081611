from __future__ import annotations

import numpy as np
import pytest
from tests.schema_frames import synthetic

from credit_mlops.data import drift
from credit_mlops.data.checks import validate_frame as validate
from credit_mlops.data.schema import FEATURES, TARGET
from credit_mlops.monitor import build, psi, reference


@pytest.fixture(scope="module")
def source():  # type: ignore[no-untyped-def]
    frame = synthetic(1000, seed=11)
    return frame[list(FEATURES)], frame[TARGET].to_numpy()


def _psi(X, new, column: str) -> float:  # type: ignore[no-untyped-def]
    ref = build.from_training(X, np.linspace(0, 1, len(X)), 0.5)
    dist = next(d for d in ref.columns if d.name == column)
    return psi.psi(dist.shares, psi.shares(dist.counts(new[column].to_numpy()).tolist()))


def test_same_seed_same_file_and_schema_holds(source) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    a = drift.drifted(X, y, rows=500, shifts=["younger"], seed=3)
    b = drift.drifted(X, y, rows=500, shifts=["younger"], seed=3)
    assert a.equals(b) and list(a.columns) == list(FEATURES) and TARGET not in a
    validate(a, source="drift", features_only=True, min_rows_per_class=0)
    assert not a.equals(drift.drifted(X, y, rows=500, shifts=["younger"], seed=4))


def test_unshifted_rows_are_new_but_alike(source) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    new = drift.drifted(X, y, rows=1000, shifts=["none"], seed=0)
    real = {tuple(r) for r in X.itertuples(index=False)}
    copied = sum(tuple(r) in real for r in new.itertuples(index=False))
    assert copied < 10  # rows are recombined, not copied
    assert max(_psi(X, new, c) for c in FEATURES) < 0.10


@pytest.mark.parametrize(
    ("shift", "column"), [("younger", "alter"), ("longer", "laufzeit"), ("purpose", "verw")]
)
def test_each_shift_moves_its_column_only(source, shift: str, column: str) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    new = drift.drifted(X, y, rows=1000, shifts=[shift], seed=0)
    assert _psi(X, new, column) > 0.25
    others = [c for c in FEATURES if c != column]
    assert max(_psi(X, new, c) for c in others) < 0.10


def test_shift_direction(source) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    base = drift.drifted(X, y, rows=1000, shifts=["none"], seed=0)
    young = drift.drifted(X, y, rows=1000, shifts=["younger"], seed=0)
    long = drift.drifted(X, y, rows=1000, shifts=["longer"], seed=0)
    assert young["alter"].mean() < 0.75 * base["alter"].mean() and young["alter"].min() >= 18
    assert long["laufzeit"].mean() > 1.4 * base["laufzeit"].mean()
    assert long["laufzeit"].max() <= 120


def test_bad_requests_are_refused(source) -> None:  # type: ignore[no-untyped-def]
    X, y = source
    with pytest.raises(ValueError, match="unknown shift"):
        drift.drifted(X, y, rows=10, shifts=["older"], seed=0)
    with pytest.raises(ValueError, match="at least 1"):
        drift.drifted(X, y, rows=0, shifts=["none"], seed=0)


def test_reference_module_is_importable_without_heavy_libraries() -> None:
    assert reference.ARTIFACT == "monitoring/reference.json"
