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
    codes: tuple[int | str, ...] = ()
    edges: tuple[float, ...] = ()
    missing: bool = False  # a last bin for missing values (a column that allows them)

    def counts(self, values: np.ndarray) -> np.ndarray:
        """Rows per bin; the last bin holds the missing values when the column has one."""
        values = np.asarray(values)
        missing = _missing(values)
        present = values[~missing] if missing.any() else values
        if missing.any() and not self.missing:
            raise ValueError(f"column '{self.name}' has missing values; its reference has none")
        counts = self._present_counts(present)
        return np.append(counts, float(missing.sum())) if self.missing else counts

    def _present_counts(self, values: np.ndarray) -> np.ndarray:
        if self.kind == "numeric":
            index = np.searchsorted(
                np.asarray(self.edges, dtype=float), values.astype(float), side="left"
            )
            return np.bincount(index, minlength=len(self.edges) + 1).astype(float)
        codes = np.asarray(self.codes, dtype=object if _text(self.codes) else None)
        if _text(self.codes):
            values = np.asarray([str(v) for v in values], dtype=object)
        order = np.argsort(codes)
        pos = np.searchsorted(codes[order], values)
        pos = np.clip(pos, 0, len(codes) - 1)
        known = codes[order][pos] == values
        if not known.all():
            odd = sorted({str(v) for v in np.asarray(values)[~known].tolist()})[:5]
            raise ValueError(f"column '{self.name}' has codes {odd} outside its reference")
        return np.bincount(order[pos], minlength=len(codes)).astype(float)

    def labels(self, digits: int = 4) -> list[str]:
        return [*self._present_labels(digits), *(["missing"] if self.missing else [])]

    def _present_labels(self, digits: int) -> list[str]:
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
        if self.missing:
            out["missing"] = True
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Distribution:
        kind = str(data["kind"])
        if kind not in ("coded", "numeric"):
            raise ValueError(f"unknown distribution kind {kind!r}")
        dist = cls(
            name=str(data["name"]),
            kind=kind,  # type: ignore[arg-type]
            shares=tuple(float(str(s)) for s in _seq(data["shares"])),
            codes=tuple(_code(c) for c in _seq(data.get("codes", []))),
            edges=tuple(float(str(e)) for e in _seq(data.get("edges", []))),
            missing=bool(data.get("missing", False)),
        )
        dist.check()
        return dist

    def check(self) -> None:
        """ValueError unless the bins are ones the tool writes: finite increasing edges,
        distinct codes, one share per bin, shares that are proportions adding up to 1."""
        edges, shares = np.asarray(self.edges, dtype=float), np.asarray(self.shares, dtype=float)
        if not np.isfinite(edges).all() or (np.diff(edges) <= 0).any():
            raise ValueError(f"column '{self.name}': its edges are not increasing numbers")
        if len({str(c) for c in self.codes}) != len(self.codes):
            raise ValueError(f"column '{self.name}': a code is listed twice")
        if self.kind == "coded" and not self.codes:
            raise ValueError(f"column '{self.name}': coded without codes")
        bins = (len(self.codes) if self.kind == "coded" else len(self.edges) + 1) + self.missing
        if len(shares) != bins:
            raise ValueError(f"column '{self.name}': {len(shares)} shares for {bins} bins")
        if not np.isfinite(shares).all() or (shares < 0).any() or abs(shares.sum() - 1) > 1e-6:
            raise ValueError(f"column '{self.name}': its shares are not proportions adding to 1")


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
        reference = cls(
            rows=int(str(data["rows"])),
            score=Distribution.from_json(score),
            columns=tuple(Distribution.from_json(c) for c in columns),
            threshold=float(str(data["threshold"])),
            reject_rate=float(str(data["reject_rate"])),
            score_source=str(data.get("score_source", "")),
        )
        names = [c.name for c in reference.columns]
        if reference.rows < 1 or not names or len(set(names)) != len(names):
            raise ValueError("no rows, no columns or a column listed twice")
        if not (0 <= reference.threshold <= 1 and 0 <= reference.reject_rate <= 1):
            raise ValueError("threshold or reject rate outside 0..1")
        return reference


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


def numeric(name: str, values: np.ndarray, bins: int = 10, missing: bool = False) -> Distribution:
    values = np.asarray(values, dtype=float)
    present = values[~np.isnan(values)]
    edges = quantile_edges(present, bins) if len(present) else ()
    draft = Distribution(name, "numeric", (), edges=edges, missing=missing)
    return Distribution(
        name, "numeric", _shares(draft.counts(values)), edges=edges, missing=missing
    )


def coded(
    name: str, values: np.ndarray, domain: Sequence[int | str], missing: bool = False
) -> Distribution:
    """Every code of the domain has a bin (shares 0 for codes training never saw)."""
    values = np.asarray(values)
    present = values[~_missing(values)]
    if _text(domain):
        codes: tuple[int | str, ...] = tuple(
            dict.fromkeys([*map(str, domain), *sorted({str(v) for v in present})])
        )
    else:
        codes = tuple(sorted({*(int(c) for c in domain), *(int(v) for v in np.unique(present))}))
    draft = Distribution(name, "coded", (), codes=codes, missing=missing)
    return Distribution(name, "coded", _shares(draft.counts(values)), codes=codes, missing=missing)


def build(
    columns: Mapping[str, np.ndarray],
    domains: Mapping[str, Sequence[int | str] | None],
    oof_bad: np.ndarray,
    threshold: float,
    *,
    bins: int = 10,
    score_source: str = "out-of-fold predictions on the training part",
    missing: frozenset[str] = frozenset(),
) -> Reference:
    """The reference of a training part: `domains[name]` is the code domain of a coded
    column and None for a numeric one; columns in `missing` get a bin for missing values."""
    dists = []
    for name, values in columns.items():
        domain = domains.get(name)
        gaps = name in missing
        dists.append(
            coded(name, values, domain, gaps)
            if domain is not None
            else numeric(name, values, bins, gaps)
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


def _missing(values: np.ndarray) -> np.ndarray:
    import pandas as pd

    return np.asarray(pd.isna(values), dtype=bool)


def _text(codes: Sequence[object]) -> bool:
    return any(isinstance(c, str) for c in codes)


def _code(value: object) -> int | str:
    return value if isinstance(value, str) else int(str(value))


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
