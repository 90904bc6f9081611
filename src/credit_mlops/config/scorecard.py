"""Settings section `scorecard`: binning and points of the WoE scorecard (`--model scorecard`).

[scorecard]
monotonic_trend = "auto"          # the bad rate's trend of every ordered characteristic
min_bin_share = 0.05              # each bin holds at least this share of the rows
rare_code_share = 0.02            # nominal codes rarer than this are scored as neutral
pdo = 20                          # points to double the good:bad odds (0 < pdo <= 1000)
base_score = 600                  # ... at these base odds (0 to 10000)
base_odds = 50                    # (1e-6 to 1e6)
[scorecard.trends]                # per characteristic, e.g. a valley for age
alter = "valley"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field, field_validator

from credit_mlops.config.base import Section

# optbinning's monotonic_trend values ("none": no constraint); kept in step with
# modeling/scorecard.py's TRENDS by a test, so this module needs no optbinning or sklearn.
TRENDS: tuple[str, ...] = (
    "auto",
    "auto_asc_desc",
    "auto_heuristic",
    "ascending",
    "descending",
    "convex",
    "concave",
    "peak",
    "valley",
    "peak_heuristic",
    "valley_heuristic",
    "none",
)


class ScorecardSettings(Section):
    # bad-rate trend of every characteristic's bins (auto: optbinning picks where the data
    # supports it; auto_asc_desc: monotonic; none: free)
    monotonic_trend: str = "auto"
    # per characteristic, a trend overriding monotonic_trend (e.g. hoehe = "auto_asc_desc")
    trends: dict[str, str] = Field(default_factory=dict)
    # smallest share of the rows a bin may hold
    min_bin_share: float = Field(0.05, ge=0.0, le=0.5)
    # most bins per characteristic (none: no limit)
    max_n_bins: int | None = Field(None, ge=2)
    # nominal codes rarer than this are scored as neutral (WoE 0), as unseen codes are
    rare_code_share: float = Field(0.02, ge=0.0, lt=0.5)
    # inverse regularisation strengths the logistic regression on the WoE columns chooses from
    c_grid: list[float] = Field(
        default_factory=lambda: [0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], min_length=1
    )
    # folds of the inner CV that chooses C
    inner_folds: int = Field(5, ge=2, le=20)
    # The points scale, bounded so that every score and every bin's points stay finite
    # numbers of a meaningful size: points to double the odds, above 0 and at most 1000
    pdo: float = Field(20.0, gt=0, le=1000)
    # the score at base_odds, 0 to 10000
    base_score: float = Field(600.0, ge=0, le=10_000)
    # good:bad odds that score base_score, 1e-6 to 1e6
    base_odds: float = Field(50.0, ge=1e-6, le=1e6)

    @field_validator("monotonic_trend")
    @classmethod
    def _known_trend(cls, value: str) -> str:
        if value not in TRENDS:
            raise ValueError(f"unknown trend '{value}' (choose from: {', '.join(TRENDS)})")
        return value

    @field_validator("trends")
    @classmethod
    def _known_trends(cls, value: dict[str, str]) -> dict[str, str]:
        for name, trend in value.items():
            if trend not in TRENDS:
                raise ValueError(
                    f"unknown trend '{trend}' for {name} (choose from: {', '.join(TRENDS)})"
                )
        return value

    @field_validator("c_grid")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if any(c <= 0 for c in value):
            raise ValueError("scorecard.c_grid values must be positive")
        return value

    def check_characteristics(self, columns: Sequence[str]) -> None:
        """Refuse a per-characteristic trend for a column the data does not have."""
        from credit_mlops.errors import ConfigError

        unknown = sorted(set(self.trends) - set(columns))
        if unknown:
            raise ConfigError(
                f"scorecard.trends names '{unknown[0]}', not a column of the data "
                f"(have: {', '.join(columns)})"
            )

    def params(self) -> dict[str, Any]:
        """The ScorecardClassifier parameters these settings give."""
        out = self.model_dump()
        out["c_grid"] = tuple(out["c_grid"])
        out["trends"] = dict(out["trends"]) or None
        return out
