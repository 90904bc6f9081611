"""From a model key to the pipeline and the model `credit train` fits, in one place.

    key -> pipeline: [preprocess, [smote]], model         (inputs "prepared")
                     model                                (inputs "raw": bins the raw columns)
                     model = soft vote of member pipelines (inputs "members", built here too)
        -> [CalibratedClassifierCV] -> FixedThresholdClassifier(threshold from training data)

Resampling sits inside the imblearn Pipeline so that it happens within every training fold and
never on test rows. The positive class is a *bad* credit (kredit == 0): recall, precision and
the cost matrix are about catching bad applicants. `credit train`, the cross-validation, `credit
tune` and `make bench-quality` all build models here, so a benchmark's figures are those of the
model a user loads and calls predict() on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from credit_mlops.modeling.catalog import KINDS, resolve
from credit_mlops.modeling.cost_matrix import CostMatrix
from credit_mlops.modeling.ensemble import Scalar

if TYPE_CHECKING:
    from imblearn.pipeline import Pipeline
    from sklearn.base import BaseEstimator

    from credit_mlops.data.description import Description

INNER_FOLDS = 5


@dataclass(frozen=True)
class ResamplingConfig:
    method: str  # SMOTE | BorderlineSMOTE | ADASYN
    k_neighbors: int = 5
    m_neighbors: int = 10

    def params(self) -> dict[str, object]:
        out: dict[str, object] = {"method": self.method, "k_neighbors": self.k_neighbors}
        if self.method == "BorderlineSMOTE":
            out["m_neighbors"] = self.m_neighbors
        return out


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


@dataclass(frozen=True)
class PipelineConfig:
    seed: int
    resampling: ResamplingConfig | None
    preprocessor: BaseEstimator | None = None  # the seed's --preprocessor; None builds ours
    model_params: Mapping[str, Mapping[str, object]] = field(default_factory=dict)  # tuned
    scorecard: Mapping[str, object] = field(default_factory=dict)  # the `scorecard` settings
    quality: QualityConfig = field(default_factory=QualityConfig)
    class_weight: bool = False  # balanced class weights at every fit (modeling/weights.py)
    svm_approx: int | None = None  # --svm-approx: the approximate variant's components
    description: Description | None = None  # the data's columns; None: the default data set
    # choose a kind's `inner_grid` values on each fit's training rows (modeling/inner_search.py)
    inner_search: bool = True
    inner_search_max_rows: int = 20_000  # above: the catalogue's values (0: no limit)


def target_bad(y: pd.Series | np.ndarray) -> np.ndarray:
    """1 for a bad credit (kredit 0), 0 for a good one."""
    return (np.asarray(y) == 0).astype(np.int64)


def sampler(config: ResamplingConfig, seed: int) -> Any:
    from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE

    if config.method == "SMOTE":
        return SMOTE(k_neighbors=config.k_neighbors, random_state=seed)
    if config.method == "BorderlineSMOTE":
        return BorderlineSMOTE(
            k_neighbors=config.k_neighbors, m_neighbors=config.m_neighbors, random_state=seed
        )
    if config.method == "ADASYN":
        return ADASYN(n_neighbors=config.k_neighbors, random_state=seed)
    raise ValueError(f"unknown resampling method {config.method!r}")


def build_pipeline(key: str, config: PipelineConfig) -> Pipeline:
    """The pipeline of `key`; every kind's model is its step `model`."""
    inputs = KINDS[key].inputs
    if inputs == "raw":
        return _raw_pipeline(key, config)
    if inputs == "members":
        return _vote_pipeline(config)
    return _prepared_pipeline(key, config)


def _raw_pipeline(key: str, config: PipelineConfig) -> Pipeline:
    """Bins the raw columns itself: no preprocessing, and oversampling would distort its WoE."""
    from imblearn.pipeline import Pipeline

    from credit_mlops.modeling.estimators import estimator

    params = {**config.scorecard, **config.model_params.get(key, {})}  # tuned ones win
    model = estimator(key, config.seed, config.description)
    return Pipeline([("model", model.set_params(**params))])


def _prepared_pipeline(key: str, config: PipelineConfig) -> Pipeline:
    from imblearn.pipeline import Pipeline
    from sklearn.base import clone

    from credit_mlops.modeling.estimators import estimator
    from credit_mlops.modeling.features import preprocessor

    native = KINDS[key].native_missing and config.resampling is None  # SMOTE needs no gaps
    pre = (
        clone(config.preprocessor)
        if config.preprocessor is not None
        else preprocessor(config.description, impute=not native)
    )
    steps: list[tuple[str, Any]] = [("preprocess", pre)]
    if config.resampling is not None:
        steps.append(("smote", sampler(config.resampling, config.seed)))
    approx = KINDS[key].approx_factory
    if approx is not None and config.svm_approx is not None:
        model = resolve(approx)(config.seed, config.svm_approx)
    else:
        model = estimator(key, config.seed)
    steps.append(("model", model.set_params(**config.model_params.get(key, {}))))
    return Pipeline(steps)


def _vote_pipeline(config: PipelineConfig) -> Pipeline:
    """A one-step pipeline around the soft vote; each member is a whole pipeline built here.

    `ensemble.smote = false` builds the members without oversampling; true follows the run's
    own choice (so --no-smote still wins).
    """
    from imblearn.pipeline import Pipeline

    from credit_mlops.modeling.ensemble import soft_vote

    spec = config.quality.ensemble
    members = config if spec.smote else replace(config, resampling=None)
    vote = soft_vote(
        spec.members,
        lambda member: build_pipeline(member, members),
        weights=spec.weights,
        params=spec.params,
    )
    return Pipeline([("model", vote)])


def build_model(key: str, config: PipelineConfig, threshold: float | None = None) -> Any:
    """The unfitted model: pipeline, calibration, decision (the Bayes threshold unless given)."""
    from credit_mlops.modeling import decision

    quality = config.quality
    return decision.assemble(
        build_pipeline(key, config),
        calibrate=quality.calibrate,
        seed=config.seed,
        threshold=quality.cost.bayes_threshold if threshold is None else threshold,
    )


def weighted(model: Any, config: PipelineConfig, y: np.ndarray) -> Any:
    """`model` with balanced class weights for the rows `y` when the run asks for them."""
    if not config.class_weight:
        return model
    from credit_mlops.modeling.weights import balance

    return balance(model, y)


def training_threshold(key: str, config: PipelineConfig, X: Any, y: np.ndarray) -> float:
    """The decision threshold of `key` by the configured rule, from these training rows only."""
    from credit_mlops.modeling.cost_matrix import choose_threshold, inner_oof

    quality = config.quality

    def oof() -> tuple[np.ndarray, np.ndarray]:
        proba = inner_oof(
            lambda: weighted(build_model(key, config), config, y),
            X,
            y,
            folds=quality.inner_folds,
            seed=config.seed,
        )
        return y, proba

    return choose_threshold(quality.threshold_rule, quality.cost, oof=oof)
