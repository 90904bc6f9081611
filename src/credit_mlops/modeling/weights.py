"""Class weights: the alternative to oversampling that costs nothing at scale.

`balance(model, y)` sets, on every estimator inside `model` (pipeline steps, calibration and
decision wrappers, ensemble members), `class_weight='balanced'` where the estimator has one
and XGBoost's `scale_pos_weight = n_negative / n_positive` of `y`, the rows about to be fit
(positive = bad credit = 1). It is called with the rows each fit sees (every CV fold, the
final fit), so the logged model stays a plain XGBClassifier whose weight is a logged number.

The scorecard has neither parameter and is left alone: its points are calibrated log-odds
(PDO, base odds), which reweighting the classes would shift.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

CLASS_WEIGHT = "class_weight"
SCALE_POS_WEIGHT = "scale_pos_weight"


M = TypeVar("M")  # an estimator


def positive_weight(y: np.ndarray) -> float:
    """n_negative / n_positive of the 0/1 labels (1.0 when a class is absent)."""
    labels = np.asarray(y)
    positive = int(np.count_nonzero(labels == 1))
    negative = int(labels.size - positive)
    return negative / positive if positive and negative else 1.0


def _named(params: dict[str, Any], name: str) -> list[str]:
    return [p for p in params if p == name or p.endswith(f"__{name}")]


def balance(model: M, y: np.ndarray) -> M:
    """`model` with balanced class weights for the labels `y` it is about to be fit on."""
    fitted: Any = model
    params = fitted.get_params(deep=True)
    values: dict[str, object] = dict.fromkeys(_named(params, CLASS_WEIGHT), "balanced")
    spw = _named(params, SCALE_POS_WEIGHT)
    if spw:
        values.update(dict.fromkeys(spw, positive_weight(y)))
    return fitted.set_params(**values) if values else model
