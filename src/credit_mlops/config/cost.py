"""Settings section `cost`: the cost matrix of a credit decision and how the threshold is chosen.

Cheap to import (no scikit-learn): the CLI and `credit config show` read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from credit_mlops.config.base import Section

if TYPE_CHECKING:
    from credit_mlops.modeling.cost_matrix import CostMatrix


class CostSettings(Section):
    # Only their ratio decides; the bounds keep every product of costs and counts a number
    # (1e308 overflowed to inf, and 1e-320 lost its precision).
    accept_bad: float = Field(5.0, ge=1e-9, le=1e12)  # accepting an applicant who turns out bad
    reject_good: float = Field(1.0, ge=1e-9, le=1e12)  # rejecting one who would be good
    # bayes: reject when P(bad) >= reject_good / (accept_bad + reject_good), no data needed;
    # cv: the cheapest threshold on out-of-fold predictions of the training rows.
    threshold: Literal["bayes", "cv"] = "bayes"

    def matrix(self) -> CostMatrix:
        """The one cost type (modeling/cost_matrix.py) with these costs."""
        from credit_mlops.modeling.cost_matrix import CostMatrix

        return CostMatrix(self.accept_bad, self.reject_good)

    def params(self) -> dict[str, object]:
        """What a training run logs about the decision rule."""
        return {
            "cost__accept_bad": self.accept_bad,
            "cost__reject_good": self.reject_good,
            "cost__threshold_rule": self.threshold,
        }
