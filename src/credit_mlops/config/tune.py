"""The `tune` settings section: where studies live, the budget, the objective, the search
space overrides (`[tune.space.<model key>]`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from credit_mlops import names
from credit_mlops.config.base import Section

TUNE_OBJECTIVES = ("roc_auc", "cost")


class TuneSettings(Section):
    # A journal file (one machine, several processes) or a database URL shared by many
    # machines, e.g. postgresql+psycopg://user@db:5432/credit_optuna (password: PGPASSWORD).
    storage: str = ".credit/optuna.journal"
    trials: int = Field(40, ge=1, le=100_000)  # the study's total, whichever workers run it
    timeout: float | None = Field(None, gt=0)  # seconds; no new trial starts after it
    objective: str = "roc_auc"
    study: str | None = None  # default: <model key>-<objective>
    folds: int = Field(5, ge=2, le=20)  # cross-validation folds of the training part per trial
    heartbeat_interval: int = Field(10, ge=1, le=3600)  # database storage: seconds between beats
    # seconds without a beat before a trial is dead; on a journal (no beats), how long a worker
    # waits for trials held by stopped processes before it ends, the study unfinished
    grace_period: int = Field(30, ge=2, le=86400)
    max_retry: int = Field(3, ge=0)  # times a dead worker's trial is queued again
    connect_timeout: int = Field(5, ge=1, le=60)  # seconds to reach the database
    # per model key, parameters overriding its search space: {low, high, log} or {choices}
    space: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("storage")
    @classmethod
    def _named_storage(cls, value: str) -> str:
        # text, not a Path (it may be a URL), so `strictness` does not refuse a blank one;
        # a blank path would be the project folder
        if not value.strip():
            raise ValueError("is empty: give a path, or leave the setting out")
        return value

    @field_validator("study")
    @classmethod
    def _plain_study(cls, value: str | None) -> str | None:
        return names.setting(names.study, value)

    @field_validator("objective")
    @classmethod
    def _known_objective(cls, value: str) -> str:
        if value not in TUNE_OBJECTIVES:
            raise ValueError(
                f"unknown objective '{value}' (choose from: {', '.join(TUNE_OBJECTIVES)})"
            )
        return value

    @field_validator("space")
    @classmethod
    def _ranges(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        # Shape and ranges here; parameter names are checked against the estimator by tune.
        from credit_mlops.errors import ConfigError
        from credit_mlops.modeling.catalog import MODEL_KEYS
        from credit_mlops.modeling.search_spaces import parse_param

        for key, params in value.items():
            if key not in MODEL_KEYS:  # a typo would leave the override unused, unsaid
                raise ValueError(
                    f"tune.space.{key}: no model is called {key!r} (models: "
                    f"{', '.join(MODEL_KEYS)})"
                )
            if not isinstance(params, dict):
                raise ValueError(f"tune.space.{key} must be a table of parameters")
            for name, raw in params.items():
                try:
                    parse_param(f"tune.space.{key}.{name}", raw)
                except ConfigError as exc:
                    raise ValueError(str(exc)) from None
        return value

    def storage_url(self, root: Path) -> str:
        """The storage URL, or the journal file's absolute path (relative ones from `root`)."""
        if "://" in self.storage:
            return self.storage
        path = Path(self.storage)
        return str(path if path.is_absolute() else root / path)

    def study_name(self, key: str) -> str:
        return self.study or f"{key}-{self.objective}"
