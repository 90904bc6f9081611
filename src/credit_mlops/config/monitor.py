"""`[monitor]`: how `credit monitor` bins and when it fails."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from credit_mlops.config.base import Section


class MonitorSettings(Section):
    # Quantile bins of numeric columns and of the score (deciles by default), fixed at
    # training time: a model trained with other bins keeps its own.
    bins: int = Field(10, ge=2, le=50)
    # The band at which `credit monitor` exits 5 (unless --fail-on says otherwise).
    fail_on: Literal["major", "moderate", "never"] = "never"
