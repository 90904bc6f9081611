"""The WoE scorecard lives in the scoring runtime (`credit_runtime.scorecard`), shipped with every
logged model; this name stays so that models logged before the move still load."""

from credit_runtime.scorecard import (
    TRENDS,
    ScorecardClassifier,
    quiet_optbinning,
    scaling,
)

__all__ = ["TRENDS", "ScorecardClassifier", "quiet_optbinning", "scaling"]
