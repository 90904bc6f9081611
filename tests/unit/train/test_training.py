"""Pipeline assembly, cross-validation and the final fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_mlops.modeling import build as pipeline
from credit_mlops.modeling import cv as training
from credit_mlops.modeling import estimators as models
from credit_mlops.modeling.catalog import ALL_KEYS, DISPLAY_NAMES, MODEL_KEYS, SEED_KEYS
from credit_mlops.modeling.metric_names import DECISION_METRICS, METRICS

pytestmark = pytest.mark.slow  # cross-validates and fits models, worker pools

BORDERLINE = pipeline.ResamplingConfig("BorderlineSMOTE", 5, 10)


XY = (300, 11)  # rows and seed of the `xy` fixture (tests/conftest.py)


def test_target_bad_flips_the_file_coding() -> None:
    assert pipeline.target_bad(pd.Series([1, 0, 1])).tolist() == [0, 1, 0]


def test_catalog_keys_and_display_names() -> None:
    seed_keys = ("logistic_regression", "decision_tree", "random_forest", "svm", "xgboost")
    assert MODEL_KEYS[: len(seed_keys)] == seed_keys  # the seed's keys first, in their order
    assert seed_keys == SEED_KEYS  # what --model all means
    assert "ensemble" not in MODEL_KEYS and (*MODEL_KEYS, "ensemble") == ALL_KEYS
    assert DISPLAY_NAMES["svm"] == "Support Vector Machine"


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


def test_one_worker_process_gives_the_in_process_metrics_bit_for_bit(
    xy: tuple[pd.DataFrame, np.ndarray],
) -> None:
    # A small job's folds run in one worker beside the main thread (pool=True, one job).
    X, y = xy
    keys = ["logistic_regression", "decision_tree"]
    config = pipeline.PipelineConfig(42, BORDERLINE)
    here = training.cross_validate(keys, config, X, y, folds=3, repeats=1, n_jobs=1)
    worker = training.cross_validate(keys, config, X, y, folds=3, repeats=1, n_jobs=1, pool=True)
    # ... and joblib's pool of two still runs after that one worker, in the same process
    two = training.cross_validate(keys, config, X, y, folds=3, repeats=1, n_jobs=2)
    for key in keys:
        for other in (worker, two):
            assert here[key].metrics == other[key].metrics  # exact float equality
            assert here[key].folds == other[key].folds
            assert here[key].oof is not None and other[key].oof is not None
            assert (here[key].oof == other[key].oof).all()


def test_the_cv_plan_keeps_a_pool_only_when_the_compute_is_worth_it() -> None:
    from credit_mlops.train.cv_plan import plan

    small = plan(["decision_tree"], 700, 15, -1, overlap=True)
    assert (small.n_jobs, small.pool, small.label) == (1, True, "one worker")
    alone = plan(["decision_tree"], 700, 15, -1, overlap=False)  # nothing to overlap
    assert (alone.n_jobs, alone.pool, alone.label) == (1, False, "in process")
    big = plan(["logistic_regression", "random_forest", "svm"], 700, 15, -1, overlap=True)
    assert (big.n_jobs, big.pool, big.label) == (-1, False, "pool")
    many_rows = plan(["decision_tree"], 100_000, 15, -1, overlap=True)
    assert many_rows.n_jobs == -1 and many_rows.estimate > small.estimate * 100
    asked = plan(["random_forest"], 100_000, 15, 1, overlap=True)  # --n-jobs 1 is obeyed
    assert (asked.n_jobs, asked.pool) == (1, False)


def test_a_cancelled_in_process_job_stops_at_its_next_fold() -> None:
    import threading

    from credit_mlops.processes.jobs import Cancelled
    from credit_mlops.train.cv_plan import CVJob

    started, folds = threading.Event(), []

    def run(step):  # type: ignore[no-untyped-def]
        for n in range(1000):
            started.set()
            folds.append(n)
            threading.Event().wait(0.01)
            step("logistic_regression", "fold")
        return {}

    job = CVJob(run, None)
    started.wait(5)
    job.cancel()
    with pytest.raises(Cancelled):
        job.result()
    assert len(folds) < 1000
