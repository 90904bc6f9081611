"""The root Settings: one field per section (a section is a model in its own file).

Adding a section: a file `config/<name>.py` with its model, and one field below.
defaults < configs/<profile>.toml < environment < flags (see `config.loader`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, PrivateAttr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from credit_mlops.config.cost import CostSettings
from credit_mlops.config.data import DataSettings
from credit_mlops.config.ensemble import EnsembleSettings
from credit_mlops.config.fairness import FairnessSettings
from credit_mlops.config.masking import flatten, mask
from credit_mlops.config.monitor import MonitorSettings
from credit_mlops.config.promote import PromoteSettings
from credit_mlops.config.report import ReportSettings
from credit_mlops.config.scorecard import ScorecardSettings
from credit_mlops.config.serve import ServeSettings
from credit_mlops.config.sources import SeedEnvSource
from credit_mlops.config.spark import SparkSettings
from credit_mlops.config.tracking import TrackingSettings
from credit_mlops.config.train import TrainSettings
from credit_mlops.config.tune import TuneSettings
from credit_mlops.redaction import redact

DEFAULT_PROFILE = "local"
ENV_PREFIX = "CREDIT_"


class Settings(BaseSettings):
    """Everything a command may need; see `credit config show`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_assignment=True,
    )

    model_version: str = "0.1.0"
    train: TrainSettings = Field(default_factory=TrainSettings)
    data: DataSettings = Field(default_factory=DataSettings)
    tracking: TrackingSettings = Field(default_factory=TrackingSettings)
    fairness: FairnessSettings = Field(default_factory=FairnessSettings)
    promote: PromoteSettings = Field(default_factory=PromoteSettings)
    tune: TuneSettings = Field(default_factory=TuneSettings)
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    scorecard: ScorecardSettings = Field(default_factory=ScorecardSettings)
    cost: CostSettings = Field(default_factory=CostSettings)
    ensemble: EnsembleSettings = Field(default_factory=EnsembleSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    spark: SparkSettings = Field(default_factory=SparkSettings)

    _profile: str = PrivateAttr(DEFAULT_PROFILE)
    _profile_file: Path | None = PrivateAttr(None)
    _root: Path = PrivateAttr(default_factory=Path.cwd)
    _provenance: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("model_version")
    @classmethod
    def _semver(cls, value: str) -> str:
        import semver

        if not semver.Version.is_valid(value):
            raise ValueError(
                f"'{value}' is not a semantic version (use MAJOR.MINOR.PATCH, e.g. 1.3.0-beta)"
            )
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            SeedEnvSource(settings_cls),
            TomlConfigSettingsSource(settings_cls),
        )

    @property
    def profile(self) -> str:
        return self._profile

    @property
    def profile_file(self) -> Path | None:
        return self._profile_file

    @property
    def root(self) -> Path:
        """The project folder: relative paths in settings are taken from here."""
        return self._root

    @property
    def provenance(self) -> dict[str, str]:
        return dict(self._provenance)

    def named(self, key: str) -> str:
        """`key` as a message names it: with where its value came from when it is not the
        default, e.g. `data.url (env CREDIT_DATA__URL)`."""
        source = self._provenance.get(key, "default")
        return key if source == "default" else f"{key} ({source})"

    def path(self, value: Path) -> Path:
        return value if value.is_absolute() else self._root / value

    @property
    def tracking_uri(self) -> str:
        return self.tracking.resolved_uri(self._root)

    @property
    def tracking_uri_shown(self) -> str:
        return redact(self.tracking_uri)

    def rows(self) -> list[tuple[str, str, str]]:
        """(key, shown value, source) for every setting; secrets masked."""
        rows = []
        for key, value in flatten(self.model_dump()):
            shown = mask(value)
            rows.append((key, shown, self._provenance.get(key, "default")))
        return rows
