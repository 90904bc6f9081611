"""What a `credit train --engine spark` run logs: the pandas engine's RunSpec, with the
data described by counts and a digest computed in Spark, and the artifacts that need rows
(explanation background, monitoring reference, input example) drawn from a seeded sample."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from credit_mlops.config.settings import Settings
from credit_mlops.modeling.catalog import DISPLAY_NAMES
from credit_mlops.tracking.records import RunSpec
from credit_mlops.train.spec import BAYES_SOURCE, fold_histories, model_params, searches, tags

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.model_selection import FixedThresholdClassifier

    from credit_mlops.modeling.cv import CVResult


@dataclass(frozen=True)
class SparkData:
    """The training data as Spark saw it, and the driver's sample of its training part."""

    source: str
    digest: str
    rows: int
    train_rows: int
    holdout_rows: int
    sample_X: pd.DataFrame
    sample_y: np.ndarray  # 1 bad, 0 good
    split: str  # how rows were keyed for the holdout and the folds


def params(
    settings: Settings, key: str, data: SparkData, model: FixedThresholdClassifier
) -> dict[str, object]:
    cfg = settings.train
    out: dict[str, object] = {
        "version": settings.model_version,
        "model_key": key,
        "engine": "spark",
        "spark_master": settings.spark.master,
        "cv_folds": cfg.cv_folds,
        "cv_repeats": cfg.cv_repeats,
        "evaluated": cfg.evaluate,
        "random_seed": cfg.seed,
        "test_size": cfg.test_size,
        "smote__used": False,  # Spark weights the classes instead
        "class_weight": True,
        "positive_class": "bad (kredit=0)",
        "data_rows": data.rows,
        "data_columns": int(data.sample_X.shape[1]),
        "train_rows": data.train_rows,
        "holdout_rows": data.holdout_rows,
        "data_digest": data.digest,
        "data_source": data.source,
        "data_split": data.split,
        "preprocessor": "builtin",
        "threshold_source": BAYES_SOURCE,
        "calibration": "none",
        **settings.cost.params(),
    }
    if searches(key, settings):  # Spark's learner keeps the catalogue's regularisation
        out["inner_search__used"] = False
    out.update({f"model__{name}": value for name, value in model_params(model).items()})
    return out


def run_spec(
    settings: Settings,
    key: str,
    name: str,
    data: SparkData,
    cv: CVResult | None,
    model: FixedThresholdClassifier,
    stamp: datetime,
    reg_name: str | None,
) -> RunSpec:
    from credit_mlops.data.schema import TARGET
    from credit_mlops.train.spec import _booster

    metrics: dict[str, float] = {"decision_threshold": float(model.threshold)}
    if cv is not None:
        metrics.update(cv.metrics)
        metrics["expected_cost_cv"] = cv.oof_cost
        metrics["expected_cost_cv_at_0_5"] = cv.oof_cost_at_half
    logged = params(settings, key, data, model)
    register = settings.tracking.register_models and settings.tracking.enabled
    return RunSpec(
        run_name=name,
        params=logged,
        metrics=metrics,
        tags={**tags(settings, key, stamp), "engine": "spark"},
        pipeline=model,
        input_example=data.sample_X.head(5),
        dataset=data.sample_X.assign(**{TARGET: 1 - data.sample_y}),  # the file's coding
        dataset_source=data.source,
        dataset_name="south-german-credit (sample of the Spark training part)",
        artifacts=artifacts(settings, key, data, cv, model, stamp, logged),
        register_as=(reg_name or key) if register else None,
        version_tags={"model_version": settings.model_version, "model_key": key},
        booster=_booster(model) if key == "xgboost" else None,
        histories=fold_histories(cv),
    )


def artifacts(
    settings: Settings,
    key: str,
    data: SparkData,
    cv: CVResult | None,
    model: FixedThresholdClassifier,
    stamp: datetime,
    logged: dict[str, object],
) -> dict[str, object]:
    """The pandas engine's artifacts; those that need rows use the driver's sample."""
    from credit_mlops.explain.background import ARTIFACT
    from credit_mlops.explain.background import to_json as background_json
    from credit_mlops.monitor.build import from_training

    threshold = float(model.threshold)
    X = data.sample_X
    source = f"in-sample predictions on a seeded sample of {len(X):,} training rows (Spark)"
    reference = from_training(
        X, model.predict_proba(X)[:, 1], threshold, bins=settings.monitor.bins, score_source=source
    )
    results = {
        "model_key": key,
        "model_display_name": DISPLAY_NAMES[key],
        "version": settings.model_version,
        "timestamp": stamp.isoformat(timespec="seconds"),
        "engine": "spark",
        "params": {k: str(v) for k, v in logged.items()},
        "cv_results": cv.metrics if cv else None,
        "decision_threshold": threshold,
        "cv_folds_scores": list(cv.folds) if cv else None,
        "data": {"source": data.source, "digest": data.digest, "rows": data.rows},
    }
    holdout = {
        "data_digest": data.digest,
        "test_size": settings.train.test_size,
        "seed": settings.train.seed,
        "n_train": data.train_rows,
        "n_test": data.holdout_rows,
        "split": data.split,
        "test_rows": [],  # chosen by a hash of the key, not by position: evaluate with --data
    }
    return {
        "results/model_results.json": results,
        "results/holdout.json": holdout,
        ARTIFACT: background_json(X, settings.train.seed),
        "monitoring/reference.json": reference.to_json(),
    }
