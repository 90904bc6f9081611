"""Model-agnostic attributions (in the scoring runtime, `credit_runtime.explain.agnostic`)."""

from credit_runtime.explain.agnostic import (
    CHUNK_CELLS,
    PERMUTATIONS,
    SEED,
    PermutationExplainer,
)

__all__ = [
    "CHUNK_CELLS",
    "PERMUTATIONS",
    "SEED",
    "PermutationExplainer",
]
