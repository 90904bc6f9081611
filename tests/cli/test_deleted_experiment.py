"""An experiment name that is deleted in the store (MLflow keeps the name until garbage
collection, and refuses to log there) is refused by the store check, before the folds end:
one line, exit 2, how to restore it; nothing trained, logged or kept in the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.test_hardening import one_error_line
from tests.conftest import tracking_uri
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("evaluate", [True, False])
def test_training_into_a_deleted_experiment_is_refused(
    store: Path, synthetic_file: Path, evaluate: bool
) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri(store))
    old = client.create_experiment("old-experiment")
    client.delete_experiment(old)
    argv = ["train", "--data", str(synthetic_file), "-m", "logistic_regression", "-q"]
    argv += ["--mlflow-experiment", "old-experiment"]
    argv += ["--cv-folds", "2", "--cv-repeats", "1"] if evaluate else ["--no-evaluate"]
    result = runner.invoke(app, argv)
    one_error_line(
        result,
        "'old-experiment' is deleted",
        f"mlflow experiments restore --experiment-id {old}",
        "another name",
    )
    assert not (store / "outbox").exists() or not any((store / "outbox").iterdir())
    assert client.search_runs([old]) == []  # nothing logged there
    assert client.search_registered_models() == []  # nor registered


def test_tuning_into_a_deleted_experiment_writes_no_study(
    store: Path, synthetic_file: Path
) -> None:
    """`credit tune` checks the store before it opens its study: a refused worker leaves
    no journal behind."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri(store))
    client.delete_experiment(client.create_experiment("old-experiment"))
    journal = store / "optuna.journal"
    argv = ["tune", "-m", "logistic_regression", "--trials", "1", "--folds", "2", "-q"]
    argv += ["--data", str(synthetic_file), "--mlflow-experiment", "old-experiment"]
    result = runner.invoke(app, [*argv, "--storage", str(journal)])
    one_error_line(result, "'old-experiment' is deleted")
    assert not journal.exists()


@pytest.mark.parametrize("given", [True, False])
def test_comparing_a_deleted_experiment_says_so(store: Path, given: bool) -> None:
    """Not "no runs, train some" (training there is refused): deleted, and how to restore."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri(store))
    client.delete_experiment(client.create_experiment("credit-risk"))
    argv = ["compare", *(["--experiment", "credit-risk"] if given else [])]
    result = runner.invoke(app, argv)
    one_error_line(result, "'credit-risk' is deleted", "experiments restore")
