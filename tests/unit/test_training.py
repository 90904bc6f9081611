"""Pipeline assembly, cross-validation and the final fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data import schema, synthetic
from credit_mlops.modeling import cv as training
from credit_mlops.modeling import estimators as models
from credit_mlops.modeling import pipeline
from credit_mlops.modeling.catalog import ALL_KEYS, DISPLAY_NAMES, MODEL_KEYS, SEED_KEYS
from credit_mlops.modeling.metric_names import DECISION_METRICS, METRICS

BORDERLINE = pipeline.ResamplingConfig("BorderlineSMOTE", 5, 10)


@pytest.fixture(scope="module")
def xy() -> tuple[pd.DataFrame, np.ndarray]:
    frame = synthetic.synthetic(300, seed=11)
    return frame[list(schema.FEATURES)], pipeline.target_bad(frame[schema.TARGET])


def test_target_bad_flips_the_file_coding() -> None:
    assert pipeline.target_bad(pd.Series([1, 0, 1])).tolist() == [0, 1, 0]


def test_catalog_keys_and_display_names() -> None:
    seed_keys = ("logistic_regression", "decision_tree", "random_forest", "svm", "xgboost")
    assert MODEL_KEYS[: len(seed_keys)] == seed_keys  # the seed's keys first, in their order
    assert seed_keys == SEED_KEYS  # what --model all means
    assert "ensemble" not in MODEL_KEYS and (*MODEL_KEYS, "ensemble") == ALL_KEYS
    assert DISPLAY_NAMES["svm"] == "Support Vector Machine"
    assert set(models.CATALOG) == set(MODEL_KEYS)


@pytest.mark.parametrize("key", MODEL_KEYS)
def test_every_estimator_is_single_threaded_and_seeded(key: str) -> None:
    params = models.hyperparameters(models.estimator(key, 123))
    assert params, key
    for name, value in params.items():
        if name.endswith("n_jobs"):
            assert value in (1, None), (key, name, value)
    # the SVM sits inside CalibratedClassifierCV: its seed is estimator__random_state
    assert any(n.endswith("random_state") and v == 123 for n, v in params.items())


def test_pipeline_steps_with_and_without_smote() -> None:
    with_smote = pipeline.build_pipeline("xgboost", pipeline.PipelineConfig(1, BORDERLINE))
    assert [n for n, _ in with_smote.steps] == ["preprocess", "smote", "model"]
    assert type(with_smote.named_steps["smote"]).__name__ == "BorderlineSMOTE"
    without = pipeline.build_pipeline("xgboost", pipeline.PipelineConfig(1, None))
    assert [n for n, _ in without.steps] == ["preprocess", "model"]


@pytest.mark.parametrize("method", ["SMOTE", "BorderlineSMOTE", "ADASYN"])
def test_samplers_balance_the_training_folds(
    method: str, xy: tuple[pd.DataFrame, np.ndarray]
) -> None:
    X, y = xy
    from credit_mlops.modeling.features import preprocessor

    Xt = preprocessor().fit_transform(X)
    sampler = pipeline.sampler(pipeline.ResamplingConfig(method), seed=0)
    _, yr = sampler.fit_resample(Xt, y)
    counts = np.bincount(yr)
    assert counts[1] > np.bincount(y)[1]
    assert abs(counts[0] - counts[1]) <= 0.1 * counts[0]


def test_preprocessing_one_hot_for_nominal_only(xy: tuple[pd.DataFrame, np.ndarray]) -> None:
    from credit_mlops.modeling.features import preprocessor

    pre = preprocessor().fit(xy[0])
    names = list(pre.get_feature_names_out())
    assert "nominal__laufkont_1" in names and "nominal__verw_0" in names
    assert "numeric__hoehe" in names and "ordinal__sparkont" in names
    assert not any(n.startswith("nominal__sparkont") for n in names)


def test_cross_validation_gives_every_metric(xy: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = xy
    result = training.cross_validate(
        ["logistic_regression"],
        pipeline.PipelineConfig(3, BORDERLINE),
        X,
        y,
        folds=3,
        repeats=2,
        n_jobs=1,
    )["logistic_regression"]
    names = (*METRICS, *DECISION_METRICS)
    expected = {f"{m}_{p}_{s}" for m in names for p in ("test", "train") for s in ("mean", "std")}
    assert set(result.metrics) == expected
    assert 0.0 < result.metrics["expected_cost_test_mean"] <= 5.0
    assert 0.0 < result.metrics["brier_test_mean"] < 0.5
    assert result.threshold == pytest.approx(1 / 6)  # the Bayes rule by default
    assert len(result.folds) == 6
    assert 0.5 < result.metrics["roc_auc_test_mean"] <= 1.0
    assert result.metrics["roc_auc_train_mean"] >= result.metrics["roc_auc_test_mean"]


def test_same_seed_same_metrics_bit_for_bit_whatever_n_jobs(
    xy: tuple[pd.DataFrame, np.ndarray],
) -> None:
    X, y = xy
    keys = ["logistic_regression", "xgboost", "random_forest"]
    config = pipeline.PipelineConfig(42, BORDERLINE)
    one = training.cross_validate(keys, config, X, y, folds=3, repeats=1, n_jobs=1)
    two = training.cross_validate(keys, config, X, y, folds=3, repeats=1, n_jobs=2)
    for key in keys:
        assert one[key].metrics == two[key].metrics  # exact float equality
        assert one[key].folds == two[key].folds


def test_another_seed_gives_other_folds(xy: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = xy
    a = training.cross_validate(
        ["decision_tree"], pipeline.PipelineConfig(1, None), X, y, folds=3, repeats=1, n_jobs=1
    )
    b = training.cross_validate(
        ["decision_tree"], pipeline.PipelineConfig(2, None), X, y, folds=3, repeats=1, n_jobs=1
    )
    assert a["decision_tree"].metrics != b["decision_tree"].metrics


def test_progress_is_called_once_per_task(xy: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = xy
    seen: list[tuple[str, str]] = []
    config = pipeline.PipelineConfig(0, None)
    training.cross_validate(
        ["decision_tree", "logistic_regression"],
        config,
        X,
        y,
        folds=2,
        repeats=2,
        n_jobs=2,
        progress=lambda k, kind: seen.append((k, kind)),
    )
    training.fit_final(
        ["decision_tree"], config, X, y, n_jobs=1, progress=lambda k, kind: seen.append((k, kind))
    )
    assert sorted(seen) == sorted(
        [("decision_tree", "fold")] * 4
        + [("logistic_regression", "fold")] * 4
        + [("decision_tree", "fit")]
    )


def test_final_fit_predicts_probabilities_deterministically(
    xy: tuple[pd.DataFrame, np.ndarray],
) -> None:
    X, y = xy
    config = pipeline.PipelineConfig(5, BORDERLINE)
    a = training.fit_final(["svm", "xgboost"], config, X, y, n_jobs=2)
    b = training.fit_final(["svm", "xgboost"], config, X, y, n_jobs=1)
    for key in ("svm", "xgboost"):
        pa, pb = a[key].pipeline.predict_proba(X), b[key].pipeline.predict_proba(X)
        assert pa.shape == (len(X), 2)
        np.testing.assert_array_equal(pa, pb)


def test_resolve_jobs_caps_by_cores_and_tasks() -> None:
    assert training.resolve_jobs(8, 3) == 3
    assert training.resolve_jobs(1, 10) == 1
    assert training.resolve_jobs(-1, 1) == 1
