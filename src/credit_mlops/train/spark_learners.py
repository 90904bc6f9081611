"""The two learners `credit train --engine spark` fits with Spark's own distributed code,
and the portable model each fit becomes.

Spark ML's LogisticRegression minimises the weighted mean log loss plus
regParam / 2 * |w|^2; scikit-learn's, C * (weighted sum) plus |w|^2 / 2. With regParam =
1 / (C * sum of weights) and no internal standardisation they are the same problem, so the
catalogue's C means the same on both engines. SparkXGBClassifier takes the catalogue's
XGBoost parameters; the weight column carries scale_pos_weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from credit_mlops.modeling.catalog import SPARK_KEYS
from credit_mlops.modeling.estimators import estimator
from credit_mlops.modeling.portable_fit import FeatureStats
from credit_mlops.modeling.portable_fit import logistic_regression as lr_pipeline
from credit_mlops.modeling.portable_fit import xgboost as xgb_pipeline
from credit_mlops.train.spark_jobs import LABEL, VECTOR, WEIGHT

if TYPE_CHECKING:
    from imblearn.pipeline import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.sql import DataFrame
    from xgboost.spark import SparkXGBClassifier

SUPPORTED = SPARK_KEYS  # the table of model kinds says which kinds Spark trains
# parameters SparkXGBClassifier sets itself (threads per Spark task) or defaults alike
_XGB_SPARK_OWNS = ("n_jobs", "missing")  # missing: NaN, its default there too


@dataclass(frozen=True)
class SparkFit:
    key: str
    model: object  # the fitted Spark model (transform() gives `probability`)
    stats: FeatureStats
    scale_pos_weight: float


def fit(
    key: str,
    rows: DataFrame,
    stats: FeatureStats,
    *,
    spw: float,
    seed: int,
    workers: int,
    params: Mapping[str, object],
) -> SparkFit:
    """Fit `key` on featurised, weighted rows."""
    if key == "logistic_regression":
        model = _logistic_regression(rows, seed, params).fit(rows)
    else:
        model = _xgboost(seed, workers, params).fit(rows)
    return SparkFit(key, model, stats, spw)


def _logistic_regression(
    rows: DataFrame, seed: int, params: Mapping[str, object]
) -> LogisticRegression:
    from pyspark.ml.classification import LogisticRegression
    from pyspark.sql import functions as F

    sk = estimator("logistic_regression", seed).set_params(**params).get_params()
    total = rows.agg(F.sum(WEIGHT)).first()
    weight_sum = float(total[0]) if total is not None and total[0] else 1.0
    return LogisticRegression(
        featuresCol=VECTOR,
        labelCol=LABEL,
        weightCol=WEIGHT,
        family="binomial",
        regParam=1.0 / (float(sk["C"]) * weight_sum),
        elasticNetParam=0.0,
        standardization=False,  # the features are standardised already, as in scikit-learn
        maxIter=int(sk["max_iter"]),
    )


def xgboost_params(seed: int, params: Mapping[str, object]) -> dict[str, object]:
    """The catalogue's XGBoost parameters (tuned ones win), as SparkXGBClassifier takes them."""
    sk = estimator("xgboost", seed).set_params(**params).get_params()
    defaults = type(estimator("xgboost", seed))().get_params()
    chosen = {k: v for k, v in sk.items() if v != defaults.get(k) and k not in _XGB_SPARK_OWNS}
    return {**chosen, "random_state": seed}


def _xgboost(seed: int, workers: int, params: Mapping[str, object]) -> SparkXGBClassifier:
    import logging

    from xgboost.spark import SparkXGBClassifier

    logging.getLogger("XGBoost-PySpark").setLevel(logging.WARNING)  # no INFO line per fit
    return SparkXGBClassifier(
        features_col=VECTOR,
        label_col=LABEL,
        weight_col=WEIGHT,
        num_workers=workers,
        verbose=False,  # no evaluation line per tree from the executors
        **xgboost_params(seed, params),  # type: ignore[arg-type]
    )


def portable(fitted: SparkFit, seed: int, params: Mapping[str, object]) -> Pipeline:
    """The scikit-learn pipeline holding what Spark fitted (same preprocessing, same P(bad))."""
    model = fitted.model
    if fitted.key == "logistic_regression":
        coef = model.coefficients.toArray()  # type: ignore[attr-defined]
        intercept = float(model.intercept)  # type: ignore[attr-defined]
        return lr_pipeline(fitted.stats, coef.tolist(), intercept, seed)
    booster = model.get_booster()  # type: ignore[attr-defined]
    chosen = {**params, "scale_pos_weight": fitted.scale_pos_weight}
    return xgb_pipeline(fitted.stats, bytes(booster.save_raw("ubj")), chosen, seed)
