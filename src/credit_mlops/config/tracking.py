"""`[tracking]`: the store, experiment, registry behaviour, credentials and HTTP policy."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from credit_mlops import names
from credit_mlops.config.base import Section
from credit_mlops.errors import InputError


class TrackingSettings(Section):
    enabled: bool = True
    uri: str | None = None
    experiment: str = Field("credit-risk", min_length=1)
    register_models: bool = True
    # the local store's folder: mlflow.db, artifacts/, outbox/ (used when no uri is set)
    store_dir: Path = Path(".credit")
    # logged as the runs' `project` tag
    project: str = "credit-mlops"
    # logged as the runs' `team` tag
    team: str = "credit-risk"
    tags: dict[str, str] = Field(default_factory=dict)
    # what compare sorts by and the promotion gate compares
    primary_metric: str = "roc_auc_test_mean"
    search_page_size: int = Field(1000, ge=1, le=50000)  # runs per search request
    # for a server with basic auth
    username: str | None = None
    # for a server with basic auth
    password: SecretStr | None = None
    # a bearer token instead of a username and password
    token: SecretStr | None = None
    # MLflow's own HTTP retry settings (MLFLOW_HTTP_REQUEST_*); fail fast by default.
    http_max_retries: int = Field(1, ge=0, le=10)
    # seconds MLflow waits for each read of an HTTP answer; a request as a whole may take
    # (http_max_retries + 1) x 2 x this, plus the back-off (tracking/deadline.py)
    http_timeout: int = Field(4, ge=1, le=600)
    # seconds of backoff between HTTP retries (an integer)
    http_backoff_factor: int = Field(1, ge=0, le=60)
    # random jitter added to the backoff
    http_backoff_jitter: float = Field(0.0, ge=0.0)
    # Load stored models in formats that run code while they load (pickle, cloudpickle):
    # off, credit loads only skops models whose types it checks (tracking.model_trust).
    trust_models_that_run_code: bool = False

    @field_validator("experiment")
    @classmethod
    def _plain_experiment(cls, value: str) -> str | None:
        return names.setting(names.experiment, value)  # refused before any work

    @field_validator("tags")
    @classmethod
    def _valid_tags(cls, value: dict[str, str]) -> dict[str, str]:
        try:
            return names.tags(value, flag="")
        except InputError as exc:
            raise ValueError(str(exc)) from None

    def resolved_uri(self, root: Path) -> str:
        """The tracking URI; without one, the embedded sqlite store under `store_dir`."""
        if self.uri:
            return self.uri
        return f"sqlite:///{self.store_path(root) / 'mlflow.db'}"

    def store_path(self, root: Path) -> Path:
        return self.store_dir if self.store_dir.is_absolute() else root / self.store_dir
