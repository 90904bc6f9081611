"""A run's file read back from the store: one put in its place outside credit (a link to
/dev/zero, a named pipe) is one line, exit 2, never a generic store failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.conftest import tracking_uri

from credit_mlops.errors import InputError


@pytest.mark.parametrize("kind", ["link to /dev/zero", "named pipe"])
def test_a_run_file_replaced_outside_credit_is_one_line(store: Path, kind: str) -> None:
    from mlflow import MlflowClient

    from credit_mlops.config.loader import load_settings
    from credit_mlops.tracking.open import open_tracker

    client = MlflowClient(tracking_uri(store))
    exp = client.create_experiment("credit-risk", artifact_location=str(store / "artifacts"))
    run = client.create_run(exp).info.run_id
    client.log_text(run, "{}", "results/holdout.json")
    stored = store / "artifacts" / run / "artifacts" / "results" / "holdout.json"
    stored.unlink()
    if kind == "named pipe":
        os.mkfifo(stored)
    else:
        stored.symlink_to("/dev/zero")
    tracker = open_tracker(load_settings())
    with pytest.raises(InputError, match="listed in the store but cannot be read back"):
        tracker.download_artifact(run, "results/holdout.json")


def test_a_run_file_turned_into_a_dangling_link_is_one_line(store: Path) -> None:
    """A link to a missing file fails MLflow's listing too (its size cannot be read): still
    the store's file changed outside credit, exit 2 - not 'tracking failed' (exit 1)."""
    from mlflow import MlflowClient

    from credit_mlops.config.loader import load_settings
    from credit_mlops.tracking.open import open_tracker

    client = MlflowClient(tracking_uri(store))
    exp = client.create_experiment("credit-risk", artifact_location=str(store / "artifacts"))
    run = client.create_run(exp).info.run_id
    client.log_text(run, "{}", "monitoring/reference.json")
    stored = store / "artifacts" / run / "artifacts" / "monitoring" / "reference.json"
    stored.unlink()
    stored.symlink_to(store / "gone.json")
    tracker = open_tracker(load_settings())
    with pytest.raises(InputError, match="listed in the store but cannot be read back"):
        tracker.download_artifact(run, "monitoring/reference.json")
