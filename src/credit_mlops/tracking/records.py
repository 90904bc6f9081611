"""What the tracking facade hands out and takes in: small frozen dataclasses, no MLflow types.

The rest of the code reads runs, versions and experiments through these, so it never
touches an MLflow entity and a fake store can serve it in tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


class Classifier(Protocol):
    """A fitted model that gives class probabilities and its decision (1 = bad = reject)."""

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray: ...

    def predict(self, X: pd.DataFrame) -> np.ndarray: ...


@dataclass(frozen=True)
class ExperimentRecord:
    experiment_id: str
    name: str


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    experiment_id: str
    run_name: str
    status: str  # RUNNING | FINISHED | FAILED | KILLED
    start_time: int | None  # epoch ms
    end_time: int | None
    params: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    lifecycle_stage: str = "active"  # or "deleted" (kept by MLflow until garbage-collected)


@dataclass(frozen=True)
class VersionRecord:
    """A registered model version."""

    name: str
    version: str
    run_id: str
    current_stage: str  # None | Staging | Production | Archived
    source: str = ""
    creation_timestamp: int = 0  # epoch ms
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelRecord:
    """A registered model: its name and aliases (alias -> version)."""

    name: str
    aliases: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedModel:
    """Where a run's model lives: a `models:/m-…` logged model or a `runs:/…` artifact."""

    uri: str
    model_id: str | None
    source_run_id: str = ""


@dataclass(frozen=True)
class RunSpec:
    """Everything one training run logs."""

    run_name: str
    params: Mapping[str, object]
    metrics: Mapping[str, float]
    tags: Mapping[str, str]
    pipeline: Classifier
    input_example: pd.DataFrame
    dataset: pd.DataFrame  # the training frame, logged as an MLflow dataset input
    dataset_source: str
    dataset_name: str
    artifacts: Mapping[str, object]  # artifact path -> JSON-able object
    register_as: str | None
    version_tags: Mapping[str, str]
    booster: object | None = None  # for xgboost: the bare booster, logged as xgb_model_only
    # what the logged model needs installed beyond the base set (the catalog's pip_packages)
    pip_packages: Sequence[str] = ()
    # metric -> its value in each cross-validation fold, logged as its history (step = fold)
    histories: Mapping[str, Sequence[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class TrackedRun:
    run_id: str
    experiment_id: str
    model_uri: str
    registered_name: str | None
    registered_version: str | None
    run_url: str | None
    experiment_url: str | None
    model_id: str | None = None
    register_seconds: float = 0.0  # of the logging time, spent registering the model


@dataclass(frozen=True)
class EvaluationRun:
    """An evaluation logged beside the run it scored."""

    experiment_id: str
    run_name: str
    tags: Mapping[str, str]
    metrics: Mapping[str, float]  # logged with their names as given
    folder: str  # uploaded under `artifact_path`
    artifact_path: str = "evaluation"
