"""The one Settings object: defaults < configs/<profile>.toml < environment < flags.

Each command calls `load_settings` once and passes the parts it needs down as arguments.
Nothing here runs at import time.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from credit_mlops.errors import ConfigError, InputError
from credit_mlops.modeling.catalog import MODEL_KEYS

DEFAULT_PROFILE = "local"
ENV_PREFIX = "CREDIT_"
UCI_ARCHIVE_URL = "https://archive.ics.uci.edu/static/public/573/south+german+credit+update.zip"

# The scripts project's variables keep working; they sit below the CREDIT_ ones.
SEED_ENV: dict[str, tuple[str, ...]] = {
    "MLFLOW_TRACKING_URI": ("tracking", "uri"),
    "MLFLOW_EXPERIMENT": ("tracking", "experiment"),
    "MODEL_VERSION": ("model_version",),
    "MLFLOW_TRACKING_USERNAME": ("tracking", "username"),
    "MLFLOW_TRACKING_PASSWORD": ("tracking", "password"),
    "MLFLOW_TRACKING_TOKEN": ("tracking", "token"),
}
# Secrets come from the environment only, never from a committed profile file.
SECRET_KEYS = {("tracking", "password"), ("tracking", "token")}
SMOTE_METHODS = ("SMOTE", "BorderlineSMOTE", "ADASYN")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TrainSettings(_Section):
    models: list[str] = Field(default_factory=lambda: ["all"])
    cv_folds: int = Field(5, ge=2, le=50)
    cv_repeats: int = Field(3, ge=1, le=50)
    seed: int = Field(42, ge=0, le=2**32 - 1)
    test_size: float = Field(0.3, gt=0.0, lt=1.0)
    smote: bool = True
    smote_method: str = "BorderlineSMOTE"
    smote_k_neighbors: int = Field(5, ge=1)
    smote_m_neighbors: int = Field(10, ge=1)
    evaluate: bool = True
    n_jobs: int = Field(-1, ge=-1)

    @field_validator("models")
    @classmethod
    def _known_models(cls, value: list[str]) -> list[str]:
        keys: list[str] = []
        for item in value:
            for key in (part.strip().lower() for part in item.split(",")):
                if not key:
                    continue
                if key == "all":
                    keys.extend(k for k in MODEL_KEYS if k not in keys)
                elif key in MODEL_KEYS:
                    if key not in keys:
                        keys.append(key)
                else:
                    raise ValueError(
                        f"unknown model '{key}' (choose from: {', '.join(MODEL_KEYS)}, all)"
                    )
        if not keys:
            raise ValueError(f"no model given (choose from: {', '.join(MODEL_KEYS)}, all)")
        return keys

    @field_validator("smote_method")
    @classmethod
    def _known_smote(cls, value: str) -> str:
        for method in SMOTE_METHODS:
            if value.lower() == method.lower():
                return method
        raise ValueError(
            f"unknown SMOTE method '{value}' (choose from: {', '.join(SMOTE_METHODS)})"
        )


class DataSettings(_Section):
    path: Path | None = None
    dir: Path = Path("data/raw")
    url: str = UCI_ARCHIVE_URL
    sha256: str | None = None
    min_rows_per_class: int = Field(30, ge=1)


class TrackingSettings(_Section):
    enabled: bool = True
    uri: str | None = None
    experiment: str = Field("credit-risk", min_length=1)
    register_models: bool = True
    store_dir: Path = Path(".credit")
    project: str = "credit-mlops"
    team: str = "credit-risk"
    tags: dict[str, str] = Field(default_factory=dict)
    primary_metric: str = "roc_auc_test_mean"
    search_page_size: int = Field(1000, ge=1, le=50000)  # runs per search request
    username: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    # MLflow's own HTTP retry settings (MLFLOW_HTTP_REQUEST_*); fail fast by default.
    http_max_retries: int = Field(1, ge=0, le=10)
    http_timeout: int = Field(4, ge=1, le=600)
    http_backoff_factor: int = Field(1, ge=0, le=60)
    http_backoff_jitter: float = Field(0.0, ge=0.0)

    def resolved_uri(self, root: Path) -> str:
        """The tracking URI; without one, the embedded sqlite store under `store_dir`."""
        if self.uri:
            return self.uri
        return f"sqlite:///{self.store_path(root) / 'mlflow.db'}"

    def store_path(self, root: Path) -> Path:
        return self.store_dir if self.store_dir.is_absolute() else root / self.store_dir


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

    def path(self, value: Path) -> Path:
        return value if value.is_absolute() else self._root / value

    @property
    def tracking_uri(self) -> str:
        return self.tracking.resolved_uri(self._root)

    @property
    def tracking_uri_shown(self) -> str:
        from credit_mlops.config.masking import redact

        return redact(self.tracking_uri)

    def rows(self) -> list[tuple[str, str, str]]:
        """(key, shown value, source) for every setting; secrets masked."""
        rows = []
        for key, value in _flatten(self.model_dump()):
            shown = _mask(value)
            rows.append((key, shown, self._provenance.get(key, "default")))
        return rows


class SeedEnvSource(PydanticBaseSettingsSource):
    """MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT, MODEL_VERSION and MLflow's credentials."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # pragma: no cover - __call__ does the work

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for var, path in SEED_ENV.items():
            value = os.environ.get(var)
            if value:
                _set(out, path, value)
        return out


def seed_env_var(key: str) -> str | None:
    for var, path in SEED_ENV.items():
        if ".".join(path) == key and os.environ.get(var):
            return var
    return None


def config_dir(start: Path | None = None) -> Path:
    """CREDIT_CONFIG_DIR, else the nearest configs/ folder at or above the working directory."""
    explicit = os.environ.get(f"{ENV_PREFIX}CONFIG_DIR")
    if explicit:
        return Path(explicit).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "configs").is_dir():
            return folder / "configs"
    return here / "configs"


def available_profiles(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def load_settings(
    profile: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the effective settings for one invocation.

    `overrides` holds the flags the user actually passed, as nested dicts; `None` values
    are dropped so that an unset flag never hides the environment or the profile file.
    """
    folder = config_dir()
    name = profile or os.environ.get(f"{ENV_PREFIX}PROFILE") or DEFAULT_PROFILE
    candidate = folder / f"{name}.toml"
    toml_file: Path | None = candidate
    if not candidate.is_file():
        if profile or os.environ.get(f"{ENV_PREFIX}PROFILE") or name != DEFAULT_PROFILE:
            have = ", ".join(available_profiles(folder)) or "none"
            raise ConfigError(
                f"profile '{name}' not found in {folder} (have: {have}); "
                f"create {folder / (name + '.toml')} or pick another with --profile"
            )
        toml_file = None  # the embedded default needs no file
    root = folder.parent

    toml_data = _read_toml(toml_file) if toml_file else {}
    for key, _ in _flatten(toml_data):
        if tuple(key.split(".")) in SECRET_KEYS:
            raise ConfigError(
                f"{toml_file}: key '{key}' is a secret; set it in the environment "
                f"(MLFLOW_TRACKING_{key.split('.')[-1].upper()}), never in a profile file"
            )
    flags = _drop_none(dict(overrides or {}))

    bound = _bind(toml_file)
    provenance = _provenance(bound, toml_file, toml_data, root, flags)
    try:
        settings = bound(**flags)
    except ValidationError as exc:
        raise _config_error(exc, provenance) from exc
    settings._profile = name
    settings._profile_file = toml_file
    settings._root = root
    settings._provenance = provenance
    return settings


def _bind(toml_file: Path | None) -> type[Settings]:
    """The Settings class bound to one profile file (pydantic-settings issue #259)."""

    class ProfileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=toml_file)

    return ProfileSettings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: malformed TOML ({exc}); fix the file or pick another profile"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read profile file ({exc.strerror})") from exc


def _provenance(
    bound: type[Settings],
    toml_file: Path | None,
    toml_data: Mapping[str, Any],
    root: Path,
    flags: Mapping[str, Any],
) -> dict[str, str]:
    out: dict[str, str] = {}
    if toml_file is not None:
        try:
            label = str(toml_file.relative_to(root))
        except ValueError:
            label = str(toml_file)
        for key, _ in _flatten(toml_data):
            out[key] = label
    for key, _ in _flatten(SeedEnvSource(bound)()):
        out[key] = f"env {seed_env_var(key)}"
    for key, _ in _flatten(EnvSettingsSource(bound)()):
        out[key] = f"env {ENV_PREFIX}{key.replace('.', '__').upper()}"
    for key, _ in _flatten(dict(flags)):
        out[key] = "flag"
    return out


def _config_error(exc: ValidationError, provenance: Mapping[str, str]) -> InputError:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    source = provenance.get(key)
    if source is None:  # a section given whole, e.g. from a flag
        source = next((s for k, s in provenance.items() if k.startswith(key + ".")), "default")
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown key; see `credit config show` for the valid ones"
    if source == "flag":
        return InputError(f"{key}: {message}")
    return ConfigError(f"{source}: key '{key}': {message}")


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            nested = _drop_none(value)
            if nested:
                out[key] = nested
        elif value is not None:
            out[key] = value
    return out


def _set(out: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        out = out.setdefault(part, {})
    out[path[-1]] = value


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and key != "tags":
            yield from _flatten(value, full + ".")
        else:
            yield full, value


def _mask(value: Any) -> str:
    if isinstance(value, SecretStr):
        return "********" if value.get_secret_value() else ""
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    if isinstance(value, str) and "://" in value:
        from credit_mlops.config.masking import redact

        return redact(value)
    return str(value)
