"""The portable model of a fit done elsewhere (on Spark): the same scikit-learn pipeline
`credit train` logs, built from the fitted numbers instead of fitted again.

    FixedThresholdClassifier(Pipeline(preprocess = our ColumnTransformer, model))

The preprocessing is the catalogue's own `features.preprocessor()` with the one-hot
categories and the scalers' means and scales set to the statistics the other engine
computed on the same rows; the model is a LogisticRegression holding the coefficients, or
an XGBClassifier holding the booster. So predict, explain, fairness, monitor, report and
serving load it like any model `credit train` logs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from credit_mlops.data.schema import COLUMNS, FEATURES

if TYPE_CHECKING:
    from imblearn.pipeline import Pipeline
    from sklearn.compose import ColumnTransformer
    from sklearn.model_selection import FixedThresholdClassifier

NOMINAL = tuple(c.name for c in COLUMNS if c.kind == "nominal")
NUMERIC = tuple(c.name for c in COLUMNS if c.kind == "numeric")
ORDERED = tuple(c.name for c in COLUMNS if c.kind in ("ordinal", "binary"))
SCALED = NUMERIC + ORDERED  # the ColumnTransformer's order: one-hots, numeric, ordinal


@dataclass(frozen=True)
class FeatureStats:
    """What the preprocessing learns from the rows it is fitted on."""

    rows: int
    categories: Mapping[str, tuple[int, ...]]  # nominal column -> its codes, ascending
    mean: Mapping[str, float]  # scaled column -> mean
    std: Mapping[str, float]  # scaled column -> population standard deviation

    def scale(self, name: str) -> float:
        """StandardScaler's scale: the standard deviation, 1.0 for a constant column."""
        std = self.std[name]
        return std if std > 10 * np.finfo(float).eps else 1.0

    def output_width(self) -> int:
        return sum(len(self.categories[c]) for c in NOMINAL) + len(SCALED)


def fitted_preprocessor(stats: FeatureStats) -> ColumnTransformer:
    """`features.preprocessor()` fitted to `stats` (one-hot categories, means, scales)."""
    import pandas as pd
    from sklearn.preprocessing import OneHotEncoder

    from credit_mlops.modeling.features import preprocessor

    pre = preprocessor()
    cats = [list(stats.categories[c]) for c in NOMINAL]
    encoder = OneHotEncoder(
        categories=cats, handle_unknown="ignore", sparse_output=False, dtype=float
    )
    pre.set_params(nominal=encoder)
    width = max(len(c) for c in cats)
    # rows holding every category (the encoder's are given; the scalers' are set below)
    frame = pd.DataFrame({n: np.zeros(width, dtype=np.int64) for n in FEATURES})
    for name, codes in zip(NOMINAL, cats, strict=True):
        frame[name] = [codes[i % len(codes)] for i in range(width)]
    pre.fit(frame)
    for step, names in (("numeric", NUMERIC), ("ordinal", ORDERED)):
        scaler = pre.named_transformers_[step]
        scaler.mean_ = np.array([stats.mean[n] for n in names])
        scaler.var_ = np.array([stats.std[n] ** 2 for n in names])
        scaler.scale_ = np.array([stats.scale(n) for n in names])
        scaler.n_samples_seen_ = stats.rows
    return pre


def logistic_regression(
    stats: FeatureStats, coef: Sequence[float], intercept: float, seed: int
) -> Pipeline:
    """The catalogue's logistic regression (balanced class weights) holding these numbers."""
    from credit_mlops.modeling.estimators import estimator

    model = estimator("logistic_regression", seed).set_params(class_weight="balanced")
    model.coef_ = np.asarray([coef], dtype=float)
    model.intercept_ = np.asarray([intercept], dtype=float)
    model.classes_ = np.array([0, 1])
    model.n_features_in_ = stats.output_width()
    model.n_iter_ = np.array([0], dtype=np.int32)
    return _pipeline(stats, model)


def xgboost(
    stats: FeatureStats, booster_raw: bytes, params: Mapping[str, object], seed: int
) -> Pipeline:
    """The catalogue's XGBClassifier (with `params`, e.g. scale_pos_weight) holding the
    booster saved as raw UBJSON."""
    from credit_mlops.modeling.estimators import estimator

    model = estimator("xgboost", seed).set_params(**params)
    model.load_model(bytearray(booster_raw))
    return _pipeline(stats, model)


def _pipeline(stats: FeatureStats, model: object) -> Pipeline:
    from imblearn.pipeline import Pipeline

    return Pipeline([("preprocess", fitted_preprocessor(stats)), ("model", model)])


def with_threshold(pipeline: Pipeline, threshold: float) -> FixedThresholdClassifier:
    """The fitted pipeline inside the decision wrapper, as a fitted one (not fitted again)."""
    from credit_mlops.modeling.decision import with_decision

    model = with_decision(pipeline, threshold)
    model.estimator_ = pipeline
    model.n_features_in_ = len(FEATURES)
    model.feature_names_in_ = np.asarray(FEATURES, dtype=object)
    return model
