"""The reference population a model is monitored against, taken at training time.

Coded columns (nominal, ordinal, binary) keep the share of every code of their domain, so a
code that never occurred in training still has a bin; numeric columns keep quantile bins of
the training part; the score P(bad) keeps the deciles of the out-of-fold predictions (the
only honest picture of how the model scores applicants it has not seen). Stored as
`monitoring/reference.json` beside the model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

FORMAT = 1
ARTIFACT = "monitoring/reference.json"
SCORE = "score"  # the row name of P(bad) in every table
Kind = Literal["coded", "numeric"]


@dataclass(frozen=True)
class Distribution:
    """Bins of one column (or of the score) and the reference population's share in each.

    Coded: one bin per code. Numeric: interior cut points; bin i holds edges[i-1] < x <=
    edges[i], the first bin everything up to edges[0], the last everything above edges[-1].
    """

    name: str
    kind: Kind
    shares: tuple[float, ...]
    codes: tuple[int, ...] = ()
    edges: tuple[float, ...] = ()

    def counts(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values)
        if self.kind == "numeric":
            index = np.searchsorted(np.asarray(self.edges, dtype=float), values, side="left")
            return np.bincount(index, minlength=len(self.edges) + 1).astype(float)
        codes = np.asarray(self.codes)
        order = np.argsort(codes)
        pos = np.searchsorted(codes[order], values)
        pos = np.clip(pos, 0, len(codes) - 1)
        known = codes[order][pos] == values
        if not known.all():
            odd = sorted(set(np.asarray(values)[~known].tolist()))[:5]
            raise ValueError(f"column '{self.name}' has codes {odd} outside its reference")
        return np.bincount(order[pos], minlength=len(codes)).astype(float)

    def labels(self, digits: int = 4) -> list[str]:
        if self.kind == "coded":
            return [str(c) for c in self.codes]
        if not self.edges:
            return ["all"]
        fmt = _formatter(self.edges, digits)
        cuts = [fmt(e) for e in self.edges]
        inner = [f"({lo}, {hi}]" for lo, hi in itertools.pairwise(cuts)]
        return [f"<= {cuts[0]}", *inner, f"> {cuts[-1]}"]

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "kind": self.kind}
        out["codes" if self.kind == "coded" else "edges"] = list(
            self.codes if self.kind == "coded" else self.edges
        )
        out["shares"] = list(self.shares)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Distribution:
        kind = str(data["kind"])
        if kind not in ("coded", "numeric"):
            raise ValueError(f"unknown distribution kind {kind!r}")
        return cls(
            name=str(data["name"]),
            kind=kind,  # type: ignore[arg-type]
            shares=tuple(float(str(s)) for s in _seq(data["shares"])),
            codes=tuple(int(str(c)) for c in _seq(data.get("codes", []))),
            edges=tuple(float(str(e)) for e in _seq(data.get("edges", []))),
        )


@dataclass(frozen=True)
class Reference:
    rows: int
    score: Distribution
    columns: tuple[Distribution, ...]
    threshold: float
    reject_rate: float  # share of out-of-fold P(bad) >= threshold
    score_source: str

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "rows": self.rows,
            "threshold": self.threshold,
            "reject_rate": self.reject_rate,
            "score_source": self.score_source,
            "score": self.score.to_json(),
            "columns": [c.to_json() for c in self.columns],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Reference:
        if data.get("format") != FORMAT:
            raise ValueError(f"reference format {data.get('format')!r}, expected {FORMAT}")
        score = data["score"]
        columns = data["columns"]
        if not isinstance(score, Mapping) or not isinstance(columns, list):
            raise ValueError("reference without score or columns")
        return cls(
            rows=int(str(data["rows"])),
            score=Distribution.from_json(score),
            columns=tuple(Distribution.from_json(c) for c in columns),
            threshold=float(str(data["threshold"])),
            reject_rate=float(str(data["reject_rate"])),
            score_source=str(data.get("score_source", "")),
        )


def quantile_edges(values: np.ndarray, bins: int) -> tuple[float, ...]:
    """Distinct interior quantile cut points (ties collapse bins: 12-month loans are many)."""
    values = np.asarray(values, dtype=float)
    # Cut at observed values (no interpolated 16.8-month cut between 12 and 24): the value
    # at rank ceil(n * i / bins), in integers so 0.3 * 100 is not 30.000000000000004.
    ordered = np.sort(values)
    n = len(ordered)
    ranks = [(n * i + bins - 1) // bins - 1 for i in range(1, bins)]
    edges = np.unique(ordered[ranks])
    # A cut at the maximum would leave the last bin empty by construction.
    edges = edges[edges < values.max()]
    return tuple(float(e) for e in edges)


def numeric(name: str, values: np.ndarray, bins: int = 10) -> Distribution:
    edges = quantile_edges(values, bins)
    draft = Distribution(name, "numeric", (), edges=edges)
    return Distribution(name, "numeric", _shares(draft.counts(values)), edges=edges)


def coded(name: str, values: np.ndarray, domain: Sequence[int]) -> Distribution:
    codes = tuple(sorted({*domain, *(int(v) for v in np.unique(values))}))
    draft = Distribution(name, "coded", (), codes=codes)
    return Distribution(name, "coded", _shares(draft.counts(values)), codes=codes)


def build(
    columns: Mapping[str, np.ndarray],
    domains: Mapping[str, Sequence[int] | None],
    oof_bad: np.ndarray,
    threshold: float,
    *,
    bins: int = 10,
    score_source: str = "out-of-fold predictions on the training part",
) -> Reference:
    """The reference of a training part: `domains[name]` is the code domain of a coded
    column and None for a numeric one."""
    dists = []
    for name, values in columns.items():
        domain = domains.get(name)
        dists.append(
            coded(name, values, domain) if domain is not None else numeric(name, values, bins)
        )
    oof = np.asarray(oof_bad, dtype=float)
    return Reference(
        rows=len(oof),
        score=numeric(SCORE, oof, bins),
        columns=tuple(dists),
        threshold=float(threshold),
        reject_rate=float(np.mean(oof >= threshold)),
        score_source=score_source,
    )


def _shares(counts: np.ndarray) -> tuple[float, ...]:
    total = float(counts.sum())
    return tuple(float(c) / total for c in counts)


def _seq(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return value


def _formatter(edges: Sequence[float], digits: int) -> Callable[[float], str]:
    whole = all(math.isclose(e, round(e)) for e in edges)
    return (lambda e: f"{e:.0f}") if whole else (lambda e: f"{e:.{digits}g}")
