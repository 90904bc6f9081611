"""Where settings come from besides defaults: the scripts project's variables and MLflow's
credentials (below the CREDIT_ ones)."""

from __future__ import annotations

import os
from typing import Any

from pydantic_settings import PydanticBaseSettingsSource

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
SECRET_KEYS = {("tracking", "password"), ("tracking", "token"), ("serve", "token")}


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


def _set(out: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        out = out.setdefault(part, {})
    out[path[-1]] = value
