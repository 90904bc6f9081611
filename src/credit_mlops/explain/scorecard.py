"""A scorecard's reasons (in the scoring runtime, `credit_runtime.explain.scorecard`)."""

from credit_runtime.explain.scorecard import (
    ScorecardExplainer,
)

__all__ = [
    "ScorecardExplainer",
]
