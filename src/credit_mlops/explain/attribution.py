"""Attributions per original column (in the scoring runtime, `credit_runtime.explain.attribution`,
so that a logged model explains itself without this package); here a runtime refusal becomes
the tool's InputError."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from credit_mlops.errors import InputError
from credit_runtime.errors import ExplanationUnavailable
from credit_runtime.explain.attribution import (
    AGNOSTIC,
    EXPLAINERS,
    Attribution,
    Explainer,
    Factory,
    Space,
    factory_for,
    need_background,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AGNOSTIC",
    "EXPLAINERS",
    "Attribution",
    "Explainer",
    "Factory",
    "Space",
    "build",
    "explainer",
    "factory_for",
    "need_background",
]


def build(
    factory: Factory, model: Any, columns: Sequence[str], background: pd.DataFrame | None
) -> Explainer:
    """`factory(model, columns, background)`; a model it cannot explain is bad input."""
    try:
        return factory(model, columns, background)
    except ExplanationUnavailable as exc:
        raise InputError(str(exc)) from exc


def explainer(
    model: Any, columns: Sequence[str], background: pd.DataFrame | None, key: str | None = None
) -> Explainer:
    """The explainer for a fitted model whose raw input has `columns`."""
    return build(factory_for(model, key, columns), model, columns, background)
