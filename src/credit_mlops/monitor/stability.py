"""Characteristic stability: the PSI of the score and of every column against a reference."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from credit_mlops.errors import some
from credit_mlops.monitor import psi as psi_mod
from credit_mlops.monitor.reference import SCORE, Distribution, Reference


@dataclass(frozen=True)
class Stability:
    """One row of the monitor table."""

    name: str
    kind: str  # score | coded | numeric
    psi: float
    band: psi_mod.Band
    bins: int
    labels: tuple[str, ...]
    reference: tuple[float, ...]  # shares per bin
    current: tuple[float, ...]

    @property
    def top_bin(self) -> str:
        """The bin whose share moved the PSI most, as 'label ref% -> now%'."""
        terms = psi_mod.contributions(self.reference, self.current)
        i = int(np.argmax(terms))
        return f"{self.labels[i]}: {self.reference[i]:.1%} → {self.current[i]:.1%}"


@dataclass(frozen=True)
class MonitorResult:
    rows: int
    reference_rows: int
    score: Stability
    columns: tuple[Stability, ...]
    threshold: float
    reject_rate_reference: float
    reject_rate_current: float

    @property
    def table(self) -> tuple[Stability, ...]:
        """The score and every column, largest PSI first (ties by name, so stable)."""
        return tuple(sorted((self.score, *self.columns), key=lambda s: (-s.psi, s.name)))

    @property
    def worst(self) -> psi_mod.Band:
        return max((s.band for s in self.table), key=psi_mod.BANDS.index)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(psi_mod.BANDS, 0)
        for row in self.table:
            out[row.band] += 1
        return out


def stability(dist: Distribution, values: np.ndarray, kind: str | None = None) -> Stability:
    current = psi_mod.shares(dist.counts(values).tolist())
    value = psi_mod.psi(dist.shares, current)
    return Stability(
        name=dist.name,
        kind=kind or dist.kind,
        psi=value,
        band=psi_mod.band(value),
        bins=len(dist.shares),
        labels=tuple(dist.labels()),
        reference=dist.shares,
        current=tuple(current),
    )


def compare(
    reference: Reference, columns: Mapping[str, np.ndarray], scores: np.ndarray
) -> MonitorResult:
    """PSI of every reference column present in `columns` (all must be) and of the score."""
    missing = [d.name for d in reference.columns if d.name not in columns]
    if missing:
        raise ValueError(f"monitored data lacks column(s) {some(missing)}")
    scores = np.asarray(scores, dtype=float)
    if scores.size == 0:
        raise ValueError("no rows to monitor")
    return MonitorResult(
        rows=int(scores.size),
        reference_rows=reference.rows,
        score=stability(reference.score, scores, kind=SCORE),
        columns=tuple(stability(d, np.asarray(columns[d.name])) for d in reference.columns),
        threshold=reference.threshold,
        reject_rate_reference=reference.reject_rate,
        reject_rate_current=float(np.mean(scores >= reference.threshold)),
    )
