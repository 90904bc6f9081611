"""A fitted model taken apart (in the scoring runtime, `credit_runtime.explain.anatomy`)."""

from credit_runtime.explain.anatomy import (
    Anatomy,
    anatomy,
    unwrap,
)

__all__ = [
    "Anatomy",
    "anatomy",
    "unwrap",
]
