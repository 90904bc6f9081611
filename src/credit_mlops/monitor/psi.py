"""The population stability index (PSI) and the bands the credit field reads it with.

    PSI = sum over bins of (a_i - e_i) * ln(a_i / e_i)

where e_i is the share of the reference (training) population in bin i and a_i the share of
the monitored population. A bin that is empty on one side would make the logarithm infinite:
each share is floored at FLOOR (0.0001, i.e. 0.01 %) before the sum, the usual convention in
credit scoring. With the floor one empty bin adds at most about (share) * ln(share / 0.0001),
e.g. 0.10 * ln(1000) = 0.69 for a bin that held 10 % of the reference: a major shift, but a
finite one. PSI is symmetric in the two populations and zero only for identical shares.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

FLOOR = 1e-4
STABLE_BELOW = 0.10
MAJOR_ABOVE = 0.25

Band = Literal["stable", "moderate", "major"]
BANDS: tuple[Band, ...] = ("stable", "moderate", "major")


def shares(counts: Sequence[float]) -> list[float]:
    """Counts to shares; an all-empty population has no shares to compare."""
    total = float(sum(counts))
    if total <= 0:
        raise ValueError("cannot take shares of an empty population")
    return [float(c) / total for c in counts]


def psi(expected: Sequence[float], actual: Sequence[float], *, floor: float = FLOOR) -> float:
    """PSI of two share vectors over the same bins (each sums to 1)."""
    if len(expected) != len(actual):
        raise ValueError(f"bins differ: {len(expected)} reference, {len(actual)} monitored")
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(e, floor), max(a, floor)
        total += (a - e) * math.log(a / e)
    return total


def contributions(
    expected: Sequence[float], actual: Sequence[float], *, floor: float = FLOOR
) -> list[float]:
    """Each bin's term of the sum, to say which bins moved."""
    return [
        (max(a, floor) - max(e, floor)) * math.log(max(a, floor) / max(e, floor))
        for e, a in zip(expected, actual, strict=True)
    ]


def band(value: float) -> Band:
    """< 0.10 stable, 0.10-0.25 moderate shift, > 0.25 major shift."""
    if value < STABLE_BELOW:
        return "stable"
    if value <= MAJOR_ABOVE:
        return "moderate"
    return "major"


def reached(worst: Band, fail_on: Band | Literal["never"]) -> bool:
    """Whether the worst band found reaches the band named by --fail-on (never: never)."""
    if fail_on == "never":
        return False
    if fail_on not in BANDS:
        raise ValueError(f"--fail-on takes major, moderate or never, not {fail_on!r}")
    return BANDS.index(worst) >= BANDS.index(fail_on)
