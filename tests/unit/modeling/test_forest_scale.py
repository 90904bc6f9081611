"""The random forest's scaled defaults: a bounded bootstrap sample per tree and a growing
leaf, applied only above train.forest_scale_rows training rows."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from tests.fake_store import FakeStore

from credit_mlops.config.loader import load_settings
from credit_mlops.modeling.decision import inner_pipeline
from credit_mlops.modeling.forest_scale import scaled_params, with_scaled_forest
from credit_mlops.train.inputs import TrainInputs
from credit_mlops.train.train import train

FEW_TREES = {"random_forest": {"n_estimators": 12}}  # tuned parameters win; kept fast


def test_nothing_changes_at_or_below_the_threshold_or_with_no_limit() -> None:
    assert scaled_params(50_000, 50_000) == {}
    assert scaled_params(700, 50_000) == {}
    assert scaled_params(10_000_000, 0) == {}


def test_above_it_the_sample_is_bounded_and_the_leaf_grows_with_the_rows() -> None:
    leaves = []
    for rows in (50_001, 200_000, 1_000_000, 10_000_000):
        params = scaled_params(rows, 50_000)
        assert params["max_samples"] * rows == pytest.approx(50_000)
        leaves.append(params["min_samples_leaf"])
    assert leaves == [2, 4, 9, 28]


def test_tuned_parameters_win_over_the_scaled_ones() -> None:
    params = with_scaled_forest({"random_forest": {"min_samples_leaf": 7}}, 100_000, 50_000)
    assert params["random_forest"] == {"max_samples": 0.5, "min_samples_leaf": 7}
    assert with_scaled_forest({"svm": {"C": 2.0}}, 100, 50_000) == {"svm": {"C": 2.0}}


def _train(project: Path, data: Path, limit: int | None) -> tuple[FakeStore, object]:
    train_flags: dict[str, object] = {"models": ["random_forest"], "evaluate": False}
    train_flags["smote"] = False  # the bounded sample is a share of the rows fitted
    if limit is not None:
        train_flags["forest_scale_rows"] = limit
    settings = load_settings(None, {"train": train_flags, "data": {"path": data}})
    store = FakeStore()
    report = train(settings, TrainInputs(model_params=FEW_TREES), store=store)
    return store, report


@pytest.mark.slow
def test_a_run_over_the_threshold_fits_bounded_trees_logs_and_says_so(
    project: Path, synthetic_file: Path
) -> None:
    store, report = _train(project, synthetic_file, limit=100)
    [result] = report.results  # type: ignore[attr-defined]
    spec = store.specs[result.run_id or ""]
    rows = spec.params["train_rows"]
    assert spec.params["model__max_samples"] == pytest.approx(100 / rows)
    assert spec.params["model__min_samples_leaf"] == round(2 * math.sqrt(rows / 100))
    assert (spec.params["forest__scaled"], spec.params["forest__scale_rows"]) == (True, 100)
    forest = inner_pipeline(spec.pipeline).named_steps["model"]
    # each tree's bootstrap weights add up to the rows it drew: 100, not the training rows
    drawn = {float(tree.tree_.weighted_n_node_samples[0]) for tree in forest.estimators_}
    assert drawn == {100.0}
    assert any("forest_scale_rows = 100" in note for note in report.notes)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_below_the_threshold_the_forest_is_the_catalogue_one_bit_for_bit(
    project: Path,
    synthetic_file: Path,
    synthetic_frame,  # type: ignore[no-untyped-def]
) -> None:
    default_store, default_report = _train(project, synthetic_file, limit=None)
    off_store, _ = _train(project, synthetic_file, limit=0)
    [default_spec] = default_store.specs.values()
    [off_spec] = off_store.specs.values()
    assert default_spec.params["model__max_samples"] is None
    assert default_spec.params["model__min_samples_leaf"] == 2
    assert default_spec.params["forest__scaled"] is False
    assert not default_report.notes  # type: ignore[attr-defined]
    X = synthetic_frame.drop(columns=["kredit"])
    np.testing.assert_array_equal(
        default_spec.pipeline.predict_proba(X), off_spec.pipeline.predict_proba(X)
    )
