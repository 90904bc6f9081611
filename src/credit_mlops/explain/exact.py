"""Exact attributions (in the scoring runtime, `credit_runtime.explain.exact`)."""

from credit_runtime.explain.exact import (
    LinearExplainer,
    TreeExplainer,
    XGBoostExplainer,
)

__all__ = [
    "LinearExplainer",
    "TreeExplainer",
    "XGBoostExplainer",
]
