"""The SVM's Nystroem features live in the scoring runtime (`credit_runtime.kernel_approx`); this
name stays so that models logged before the move still load."""

from credit_runtime.kernel_approx import (
    ScaledNystroem,
)

__all__ = [
    "ScaledNystroem",
]
