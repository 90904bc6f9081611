"""Attributions per original column, and which explainer serves which model kind.

Every explainer answers the same question for a batch of raw rows: how much did each original
column move this applicant's output away from the base value. `values.sum(axis=1) + base`
equals the model's output in `space` (log-odds of a bad credit, or its probability).

A model kind plugs in with one line in `EXPLAINERS` (model key -> "module:factory"); the
factory takes the fitted model, the raw input columns and the background sample (or None) and
returns an object with `explain(X) -> Attribution`; a factory with `needs_background = False`
is given None and the stored sample is not downloaded. (A scorecard's reasons: `values` the
points each characteristic is below its maximum, `space` "points".) Keys not listed are
recognised by the final estimator's type, and anything else gets the model-agnostic explainer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from credit_runtime.errors import ExplanationUnavailable

Space = Literal["log-odds", "probability", "points"]


@dataclass(frozen=True)
class Attribution:
    """Per-row contributions of each original column towards a bad credit."""

    values: np.ndarray  # (rows, columns); positive pushes towards bad (rejection)
    base: np.ndarray  # (rows,) the expected output the contributions start from
    columns: tuple[str, ...]
    space: Space
    method: str  # e.g. "xgboost TreeSHAP (pred_contribs)"
    exact: bool  # additivity holds to floating-point precision

    @property
    def output(self) -> np.ndarray:
        return self.values.sum(axis=1) + self.base

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.values, columns=list(self.columns))


class Explainer(Protocol):
    method: str

    def explain(self, X: pd.DataFrame) -> Attribution: ...


Factory = Callable[[Any, Sequence[str], "pd.DataFrame | None"], Explainer]

EXPLAINERS: dict[str, str] = {
    "xgboost": "credit_runtime.explain.exact:XGBoostExplainer",
    "random_forest": "credit_runtime.explain.exact:TreeExplainer",
    "decision_tree": "credit_runtime.explain.exact:TreeExplainer",
    "logistic_regression": "credit_runtime.explain.exact:LinearExplainer",
    "svm": "credit_runtime.explain.agnostic:PermutationExplainer",
    "ensemble": "credit_runtime.explain.vote:vote_explainer",
    "scorecard": "credit_runtime.explain.scorecard:ScorecardExplainer",
}
_BY_TYPE: dict[str, str] = {
    "XGBClassifier": EXPLAINERS["xgboost"],
    "RandomForestClassifier": EXPLAINERS["random_forest"],
    "ExtraTreesClassifier": EXPLAINERS["random_forest"],
    "DecisionTreeClassifier": EXPLAINERS["decision_tree"],
    "LogisticRegression": EXPLAINERS["logistic_regression"],
}
AGNOSTIC = "credit_runtime.explain.agnostic:PermutationExplainer"


def factory_for(model: Any, key: str | None, columns: Sequence[str]) -> Factory:
    """The explainer factory for a model: by its catalogue key, else by its final estimator."""
    from credit_runtime.explain.anatomy import anatomy

    path = EXPLAINERS.get(key or "")
    if path is None or path in _BY_TYPE.values():
        # a tree or linear kind is exact only if the final estimator really is one (not, say,
        # a calibrated wrapper around it): check its type
        final = type(anatomy(model, columns).estimator).__name__
        path = _BY_TYPE.get(final, AGNOSTIC)
    module, _, name = path.partition(":")
    factory: Factory = getattr(importlib.import_module(module), name)
    return factory


def explainer(
    model: Any, columns: Sequence[str], background: pd.DataFrame | None, key: str | None = None
) -> Explainer:
    """The explainer for a fitted model whose raw input has `columns`."""
    return factory_for(model, key, columns)(model, columns, background)


def need_background(background: pd.DataFrame | None, what: str) -> pd.DataFrame:
    if background is None or len(background) == 0:
        raise ExplanationUnavailable(
            f"{what} needs the explanation background stored with the model; this one has "
            "none (trained before it was stored): retrain the model with this version of credit"
        )
    return background
