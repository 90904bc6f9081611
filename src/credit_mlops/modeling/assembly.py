"""From a catalogue key to the model `credit train` fits and logs, and its honest fold scores.

    key -> pipeline (preprocess, [smote], model; or the soft vote of member pipelines)
        -> [CalibratedClassifierCV] -> FixedThresholdClassifier(threshold from training data)

`credit train`, the cross-validation and `make bench-quality` all build models here, so the
figures the benchmark prints are those of the model a user loads and calls predict() on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from credit_mlops.modeling import decision
from credit_mlops.modeling.cost_matrix import (
    CostMatrix,
    choose_threshold,
    decision_scores,
    inner_oof,
)
from credit_mlops.modeling.ensemble import ENSEMBLE_KEY, Scalar, soft_vote

INNER_FOLDS = 5


@dataclass(frozen=True)
class EnsembleSpec:
    members: tuple[str, ...] = ("logistic_regression", "xgboost", "random_forest")
    weights: tuple[float, ...] | None = None
    smote: bool = False
    params: Mapping[str, Mapping[str, Scalar]] = field(default_factory=dict)


@dataclass(frozen=True)
class QualityConfig:
    calibrate: str = "none"
    cost: CostMatrix = field(default_factory=CostMatrix)
    threshold_rule: str = "bayes"
    ensemble: EnsembleSpec = field(default_factory=EnsembleSpec)
    inner_folds: int = INNER_FOLDS


def quality_of(pconfig: Any) -> QualityConfig:
    """The quality settings a PipelineConfig carries (defaults when it carries none)."""
    quality = getattr(pconfig, "quality", None)
    return quality if isinstance(quality, QualityConfig) else QualityConfig()


def _catalogue(key: str, pconfig: Any) -> Any:
    from credit_mlops.modeling.pipeline import build_pipeline as catalogue_pipeline

    return catalogue_pipeline(key, pconfig)


def model_for(key: str, pconfig: Any, threshold: float | None = None) -> Any:
    """The model `credit train` fits for `key` under `pconfig` (and its quality settings)."""
    return build_model(key, pconfig, quality_of(pconfig), _catalogue, threshold)


def weighted(model: Any, pconfig: Any, y: np.ndarray) -> Any:
    """`model` with balanced class weights for the rows `y` when the run asks for them."""
    if not getattr(pconfig, "class_weight", False):
        return model
    from credit_mlops.modeling.weights import balance

    return balance(model, y)


def threshold_for(key: str, pconfig: Any, X: Any, y: np.ndarray) -> float:
    """The decision threshold of `key` by the configured rule, from these training rows."""
    return training_threshold(key, pconfig, quality_of(pconfig), _catalogue, X, y)


def build_pipeline(
    key: str, pconfig: Any, quality: QualityConfig, base: Callable[[str, Any], Any]
) -> Any:
    """The pipeline of `key`; `base(key, pconfig)` builds a catalogue key's own pipeline.

    The ensemble is a one-step pipeline around the vote (step `model`, like every key), and
    each member is built by `base`, with the ensemble's own oversampling choice.
    """
    if key != ENSEMBLE_KEY:
        return base(key, pconfig)
    from imblearn.pipeline import Pipeline

    spec = quality.ensemble
    # ensemble.smote = false builds the members without oversampling; true follows the run's
    # own choice (so --no-smote still wins).
    member_config = pconfig if spec.smote else replace(pconfig, resampling=None)
    vote = soft_vote(
        spec.members,
        lambda member: base(member, member_config),
        weights=spec.weights,
        params=spec.params,
    )
    return Pipeline([("model", vote)])


def build_model(
    key: str,
    pconfig: Any,
    quality: QualityConfig,
    base: Callable[[str, Any], Any],
    threshold: float | None = None,
) -> Any:
    """The unfitted model: pipeline, calibration, decision (Bayes threshold unless given)."""
    return decision.assemble(
        build_pipeline(key, pconfig, quality, base),
        calibrate=quality.calibrate,
        seed=pconfig.seed,
        threshold=quality.cost.bayes_threshold if threshold is None else threshold,
    )


def training_threshold(
    key: str,
    pconfig: Any,
    quality: QualityConfig,
    base: Callable[[str, Any], Any],
    X: Any,
    y: np.ndarray,
) -> float:
    """The threshold by the configured rule, from these training rows only."""

    def oof() -> tuple[np.ndarray, np.ndarray]:
        proba = inner_oof(
            lambda: weighted(build_model(key, pconfig, quality, base), pconfig, y),
            X,
            y,
            folds=quality.inner_folds,
            seed=pconfig.seed,
        )
        return y, proba

    return choose_threshold(quality.threshold_rule, quality.cost, oof=oof)


def fold_scores(
    model: Any,
    quality: QualityConfig,
    parts: Mapping[str, tuple[Any, np.ndarray]],
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Cost at the model's own decision, Brier and log loss for each part ('test', 'train').

    The cost counts the rejections of the model's predict(): the threshold it carries was
    chosen without these test rows. Returns the scores and each part's P(bad).
    """
    out: dict[str, float] = {}
    probas: dict[str, np.ndarray] = {}
    threshold = decision.threshold_of(model)
    for part, (X, y) in parts.items():
        proba = np.asarray(model.predict_proba(X)[:, 1], dtype=float)
        probas[part] = proba
        t = 0.5 if threshold is None else threshold
        for name, value in decision_scores(quality.cost, y, proba, t).items():
            out[f"{name}_{part}"] = value
    return out, probas
