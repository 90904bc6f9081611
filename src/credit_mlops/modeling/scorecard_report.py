"""A fitted scorecard as a report: per characteristic its IV, flag and bins with points.

The same report is logged with the training run (`results/scorecard.json`) and shown by
`credit scorecard TARGET`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credit_mlops.modeling.scorecard import ScorecardClassifier


@dataclass(frozen=True)
class BinRow:
    bin: str
    count: int
    bad_rate: float
    woe: float
    iv: float
    points: float


@dataclass(frozen=True)
class Characteristic:
    name: str
    iv: float
    flag: str  # "not predictive" (IV < 0.02), "suspicious" (IV > 0.5) or ""
    bins: tuple[BinRow, ...]


@dataclass(frozen=True)
class ScorecardReport:
    model: str  # e.g. "scorecard v3"
    uri: str
    pdo: float
    base_score: float
    base_odds: float
    characteristics: tuple[Characteristic, ...]  # highest IV first

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def report_of(card: ScorecardClassifier, *, model: str, uri: str) -> ScorecardReport:
    """The report of a fitted scorecard (also logged as a training run's artifact)."""
    from credit_mlops.modeling.scorecard_table import information_values, points_table

    table = points_table(card)
    characteristics = []
    ivs = information_values(table)
    for name, iv, flag in zip(ivs["characteristic"], ivs["iv"].tolist(), ivs["flag"], strict=True):
        bins = table[table["characteristic"] == name]
        characteristics.append(
            Characteristic(
                name=str(name),
                iv=float(iv),
                flag=str(flag),
                bins=tuple(
                    BinRow(str(b), int(n), float(r), float(w), float(v), float(p))
                    for b, n, r, w, v, p in zip(
                        bins["bin"].tolist(),
                        bins["count"].tolist(),
                        bins["bad_rate"].tolist(),
                        bins["woe"].tolist(),
                        bins["iv"].tolist(),
                        bins["points"].tolist(),
                        strict=True,
                    )
                ),
            )
        )
    return ScorecardReport(
        model=model,
        uri=uri,
        pdo=float(card.pdo),
        base_score=float(card.base_score),
        base_odds=float(card.base_odds),
        characteristics=tuple(characteristics),
    )
