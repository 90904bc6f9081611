"""The rows a global view is computed on: the training run's holdout, or a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError
from credit_mlops.tracking.records import RunRecord
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Rows:
    X: pd.DataFrame
    y: pd.Series | None  # the file's coding (1 good, 0 bad)
    source: str
    scope: str  # "holdout" or "file"


def check_scope(run: RunRecord, data_path: Path | None) -> None:
    """A run that kept no holdout needs --data; refused before anything is computed."""
    if data_path is None and run.params.get("holdout_rows") in ("0", "0.0"):
        raise InputError(
            f"run {run.run_id} kept no holdout (trained with --test-size 0); "
            "pass --data FILE to use another file"
        )


def target_rows(
    settings: Settings, store: TrackingStore, run: RunRecord, data_path: Path | None
) -> Rows:
    from credit_mlops.data.dataset import load_dataset
    from credit_mlops.lifecycle.evaluate import holdout

    check_scope(run, data_path)
    if data_path is not None:
        dataset = load_dataset(data_path, min_rows_per_class=1)
        return Rows(dataset.X, dataset.y, str(data_path), "file")
    X, y, source = holdout(settings, store, run)
    if len(X) == 0:
        raise InputError(
            f"run {run.run_id} kept no holdout rows; pass --data FILE to use another file"
        )
    return Rows(X, y, source, "holdout")
