"""Pipeline assembly: preprocessing, optional oversampling and the model, in one imblearn
Pipeline so that resampling happens inside every training fold and never on test rows.

The positive class is a *bad* credit (kredit == 0): recall, precision and the cost matrix
are about catching bad applicants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from credit_mlops.modeling import estimators

if TYPE_CHECKING:
    from imblearn.pipeline import Pipeline
    from sklearn.base import BaseEstimator

    from credit_mlops.modeling.assembly import QualityConfig


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
class PipelineConfig:
    seed: int
    resampling: ResamplingConfig | None
    preprocessor: BaseEstimator | None = None  # the seed's --preprocessor; None builds ours
    model_params: dict[str, dict[str, object]] = field(default_factory=dict)  # key -> tuned
    scorecard: Mapping[str, object] = field(default_factory=dict)  # the `scorecard` settings
    quality: QualityConfig | None = None  # calibration, cost, threshold rule, ensemble
    class_weight: bool = False  # balanced class weights at every fit (modeling/weights.py)
    svm_approx: int | None = None  # --svm-approx: the svm key's Nystroem components


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
    from imblearn.pipeline import Pipeline
    from sklearn.base import clone

    from credit_mlops.modeling.catalog import ENSEMBLE_KEY, RAW_KEYS
    from credit_mlops.modeling.features import preprocessor

    if key in RAW_KEYS:  # bins the raw columns itself; oversampling would distort its WoE
        params = {**config.scorecard, **config.model_params.get(key, {})}  # tuned ones win
        return Pipeline([("model", estimators.estimator(key, config.seed).set_params(**params))])
    if key == ENSEMBLE_KEY:  # a vote of member pipelines, each built here
        from credit_mlops.modeling import assembly

        return assembly.build_pipeline(key, config, assembly.quality_of(config), build_pipeline)
    pre = clone(config.preprocessor) if config.preprocessor is not None else preprocessor()
    steps: list[tuple[str, Any]] = [("preprocess", pre)]
    if config.resampling is not None:
        steps.append(("smote", sampler(config.resampling, config.seed)))
    if key == "svm" and config.svm_approx is not None:
        model = estimators.svm_approx(config.seed, config.svm_approx)
    else:
        model = estimators.estimator(key, config.seed)
    steps.append(("model", model.set_params(**config.model_params.get(key, {}))))
    return Pipeline(steps)
