"""`[fairness]`: which columns define the groups `credit fairness` compares, and its rules."""

from __future__ import annotations

import itertools

from pydantic import Field, field_validator

from credit_mlops.config.base import Section


class FairnessSettings(Section):
    # age bands, foreign worker, and sex where famges identifies it (codes 1, 3 male; 4 female)
    attributes: list[str] = Field(default_factory=lambda: ["alter", "gastarb", "famges"])
    # cut points per numeric column: [25, 35, 50] -> under 25, 25-34, 35-49, 50 and over
    bands: dict[str, list[float]] = Field(default_factory=lambda: {"alter": [25.0, 35.0, 50.0]})
    min_group_size: int = Field(30, ge=1)  # smaller groups are shown without a verdict
    four_fifths: float = Field(0.8, gt=0, le=1)  # acceptance-rate ratio below it is flagged

    @field_validator("bands")
    @classmethod
    def _increasing(cls, bands: dict[str, list[float]]) -> dict[str, list[float]]:
        for column, cuts in bands.items():
            if not cuts or any(b <= a for a, b in itertools.pairwise(cuts)):
                raise ValueError(
                    f"bands for {column} must be strictly increasing cut points, got {cuts} "
                    "(e.g. [25, 35, 50])"
                )
        return bands
