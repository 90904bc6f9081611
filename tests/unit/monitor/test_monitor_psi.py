from __future__ import annotations

import math

import numpy as np
import pytest

from credit_mlops.monitor import psi


def test_psi_matches_the_formula_by_hand() -> None:
    e, a = [0.5, 0.3, 0.2], [0.4, 0.4, 0.2]
    by_hand = (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.4 - 0.3) * math.log(0.4 / 0.3)
    assert psi.psi(e, a) == pytest.approx(by_hand, rel=1e-12)
    assert psi.psi(e, a) == pytest.approx(psi.psi(a, e))  # symmetric
    assert psi.psi(e, e) == 0.0


def test_an_empty_bin_is_floored_not_infinite() -> None:
    value = psi.psi([0.9, 0.1], [1.0, 0.0])
    floor = psi.FLOOR
    expected = (1.0 - 0.9) * math.log(1.0 / 0.9) + (floor - 0.1) * math.log(floor / 0.1)
    assert math.isfinite(value)
    assert value == pytest.approx(expected)
    assert psi.band(value) == "major"


def test_contributions_sum_to_the_index() -> None:
    rng = np.random.default_rng(3)
    e = psi.shares(rng.integers(0, 50, 10).tolist())
    a = psi.shares(rng.integers(0, 50, 10).tolist())
    assert sum(psi.contributions(e, a)) == pytest.approx(psi.psi(e, a))


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0.0, "stable"),
        (0.0999, "stable"),
        (0.10, "moderate"),
        (0.25, "moderate"),
        (0.2501, "major"),
    ],
)
def test_bands_of_the_credit_field(value: float, band: str) -> None:
    assert psi.band(value) == band


def test_fail_on_reaches_its_band_and_above() -> None:
    assert psi.reached("major", "moderate") and psi.reached("moderate", "moderate")
    assert not psi.reached("moderate", "major") and not psi.reached("stable", "moderate")
    assert psi.reached("major", "major") and not psi.reached("major", "never")
    with pytest.raises(ValueError, match="--fail-on"):
        psi.reached("major", "minor")  # type: ignore[arg-type]


def test_mismatched_bins_and_empty_populations_are_refused() -> None:
    with pytest.raises(ValueError, match="bins differ"):
        psi.psi([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match="empty"):
        psi.shares([0, 0])
