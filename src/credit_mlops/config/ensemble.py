"""Settings section `ensemble`: the members, weights and per-member overrides of the soft vote.

[ensemble]
members = ["logistic_regression", "xgboost", "random_forest"]
weights = [1.0, 1.0, 1.0]            # optional, one per member
smote = false                        # members' oversampling (measured: it hurts the vote)
[ensemble.params.xgboost]            # overrides of a member's model parameters
max_depth = 2
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from credit_mlops.config.base import Section
from credit_mlops.modeling.catalog import ENSEMBLE_KEY, MODEL_KEYS

Scalar = str | int | float | bool | None


def _member_keys() -> tuple[str, ...]:
    return tuple(k for k in MODEL_KEYS if k != ENSEMBLE_KEY)


class EnsembleSettings(Section):
    # catalogue keys whose P(bad) the soft vote averages
    members: list[str] = Field(
        default_factory=lambda: ["logistic_regression", "xgboost", "random_forest"]
    )
    # one weight per member (none: equal weights)
    weights: list[float] | None = None
    # oversample inside the members (measured: it hurts the vote)
    smote: bool = False
    # per member, parameters overriding the catalogue's (e.g. [ensemble.params.xgboost] max_depth
    # = 2)
    params: dict[str, dict[str, Scalar]] = Field(default_factory=dict)

    @field_validator("members")
    @classmethod
    def _known_members(cls, value: list[str]) -> list[str]:
        keys = _member_keys()
        members = [m.strip().lower() for m in value if m.strip()]
        for member in members:
            if member not in keys:
                raise ValueError(
                    f"unknown ensemble member '{member}' (choose from: {', '.join(keys)})"
                )
        if len(members) < 2 or len(set(members)) != len(members):
            raise ValueError("an ensemble needs at least two distinct members")
        return members

    @field_validator("weights")
    @classmethod
    def _positive(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and (not value or any(w < 0 for w in value) or sum(value) <= 0):
            raise ValueError("ensemble weights must be non-negative with a positive sum")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EnsembleSettings:
        if self.weights is not None and len(self.weights) != len(self.members):
            raise ValueError(
                f"{len(self.weights)} ensemble weights for {len(self.members)} members; "
                "give one per member"
            )
        stray = sorted(set(self.params) - set(self.members))
        if stray:
            raise ValueError(
                f"ensemble.params names '{stray[0]}', which is not a member "
                f"(members: {', '.join(self.members)})"
            )
        return self
