"""compare's within-noise note on a real MLflow store: paired (Nadeau-Bengio) for two runs on
the same splits, the std rule (and why) for two runs on different splits."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.conftest import project_with_store
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.compare.paired import corrected_resampled_t_test

pytestmark = pytest.mark.integration
runner = CliRunner()
T0 = 1_790_000_000_000
SPLITS = {"data_digest": "abc123", "test_size": "0.3", "cv_folds": "5", "cv_repeats": "3"}


def log_run(
    uri: str, experiment: str, model: str, seed: int, folds: list[float], minute: int
) -> str:
    """A finished training run as `credit train` logs it: split params, mean/std, history."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    client = MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name(experiment)
    exp_id = exp.experiment_id if exp else client.create_experiment(experiment)
    start = T0 + minute * 60_000
    run = client.create_run(
        exp_id, run_name=f"train_{model}", start_time=start, tags={"model_name": model}
    )
    params = {**SPLITS, "random_seed": str(seed), "model_key": model}
    metrics = [
        Metric("roc_auc_test_mean", float(np.mean(folds)), start, 0),
        Metric("roc_auc_test_std", float(np.std(folds)), start, 0),
        *(Metric("roc_auc_test", v, start, step) for step, v in enumerate(folds)),
    ]
    client.log_batch(
        run.info.run_id, metrics=metrics, params=[Param(k, v) for k, v in params.items()]
    )
    client.set_terminated(run.info.run_id, "FINISHED", end_time=start + 1000)
    return str(run.info.run_id)


def compare_notes(root: Path, experiment: str) -> list[str]:
    old = Path.cwd()
    os.chdir(root)
    try:
        result = runner.invoke(app, ["compare", "--experiment", experiment, "--format", "json"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return list(report["notes"])


@pytest.fixture
def root(tmp_path: Path, store_template: Path) -> Path:
    return project_with_store(tmp_path, store_template)


def _folds(seed: int, shift: float) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(seed)
    a = 0.79 + rng.normal(0, 0.03, 15)
    b = a - shift + rng.normal(0, 0.01, 15)
    return [float(x) for x in a], [float(x) for x in b]


def test_same_splits_are_compared_fold_by_fold(root: Path) -> None:
    uri = f"sqlite:///{root / '.credit' / 'mlflow.db'}"
    a, b = _folds(5, 0.004)
    log_run(uri, "paired", "scorecard", 42, a, 0)
    log_run(uri, "paired", "xgboost", 42, b, 1)
    expected = corrected_resampled_t_test(a, b, folds=5)
    notes = [n for n in compare_notes(root, "paired") if "folds" in n]
    assert notes == [
        f"scorecard better than xgboost in {expected.wins} of 15 folds, p = {expected.p:.3g} "
        "(corrected resampled t-test on the same splits): the difference is within noise, "
        "on roc_auc_test"
    ]


def test_a_clear_gap_on_the_same_splits_is_real(root: Path) -> None:
    uri = f"sqlite:///{root / '.credit' / 'mlflow.db'}"
    a, b = _folds(6, 0.05)
    log_run(uri, "clear", "scorecard", 42, a, 0)
    log_run(uri, "clear", "decision_tree", 42, b, 1)
    notes = compare_notes(root, "clear")
    assert any(
        n.startswith("scorecard better than decision_tree in 15 of 15 folds, p = ")
        and n.endswith("a real difference, on roc_auc_test")
        for n in notes
    ), notes


def test_different_splits_keep_the_std_rule_and_say_so(root: Path) -> None:
    uri = f"sqlite:///{root / '.credit' / 'mlflow.db'}"
    a, b = _folds(7, 0.004)
    log_run(uri, "unpaired", "scorecard", 42, a, 0)
    log_run(uri, "unpaired", "xgboost", 7, b, 1)  # another seed: other folds
    notes = compare_notes(root, "unpaired")
    noise = [n for n in notes if "within noise" in n]
    assert len(noise) == 1, notes
    assert noise[0].startswith("scorecard and xgboost differ by ")
    assert "less than the larger std" in noise[0]
    assert "not cross-validated on the same splits" in noise[0]
    assert "folds, p =" not in noise[0]
