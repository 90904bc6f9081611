"""`[promote]`: optional gates of `credit promote` beyond the primary metric."""

from __future__ import annotations

from pydantic import Field

from credit_mlops.config.base import Section


class PromoteSettings(Section):
    # refuse Production when the candidate's demographic parity difference on its holdout
    # (largest over the fairness attributes) exceeds this; None: no fairness gate
    max_parity_gap: float | None = Field(None, ge=0, le=1)
