"""A train whose model fails half-way through being logged (a full disk, say) leaves no
half model in the store: its files and entry go, the run is FAILED, and the model is whole
in the outbox for `credit sync`."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.train.outbox import entries


def test_a_model_that_fails_while_logged_leaves_no_half_folder(
    store: Path, synthetic_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skops.io
    from mlflow import MlflowClient

    real_dump = skops.io.dump

    def full(obj: Any, file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | Path):  # MLflow saving the model; the outbox writes a handle
            Path(file).write_bytes(b"PK\x03\x04 a start")
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_dump(obj, file, *args, **kwargs)

    monkeypatch.setattr(skops.io, "dump", full)
    argv = ["train", "-m", "logistic_regression", "--no-smote", "--cv-folds", "2",
            "--cv-repeats", "1", "--data", str(synthetic_file)]  # fmt: skip
    result = CliRunner().invoke(app, argv)
    assert result.exit_code != 0, result.output
    assert len(entries(store / "outbox")) == 1
    models = store / "artifacts" / "models"
    assert not models.exists() or list(models.iterdir()) == []
    client = MlflowClient(f"sqlite:///{store / 'mlflow.db'}")
    [experiment] = [e for e in client.search_experiments() if e.name == "credit-risk"]
    assert client.search_logged_models(experiment_ids=[experiment.experiment_id]) == []
    [run] = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FAILED"
