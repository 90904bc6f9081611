"""Checks on what selects and fills a profile, before any file is read.

A profile is a plain name (letters, digits, `-`, `_`) of a file in configs/: never a path,
so `CREDIT_PROFILE=../../elsewhere/evil` cannot read a TOML file outside configs/. A
profile file never holds a secret: neither a password/token key nor a URL carrying a
password (`http://alice:secret@host`) or a credential in its query or fragment
(`?token=...`, `?sslpassword=...`); it is refused without printing the secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from credit_mlops.errors import ConfigError

PROFILE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
PROFILE_ENV = "CREDIT_PROFILE"


def profile_name(flag: str | None, default: str) -> str:
    """The profile to load: --profile, else CREDIT_PROFILE, else `default`; a plain name."""
    if flag is not None:
        name, source = flag, "--profile"
    elif os.environ.get(PROFILE_ENV):
        name, source = os.environ[PROFILE_ENV], PROFILE_ENV
    else:
        return default
    if not PROFILE_NAME.fullmatch(name):
        raise ConfigError(
            f"{source}: profile {name!r} is not a plain name; use letters, digits, '-' and "
            "'_' only (the name of a file in configs/, without .toml)"
        )
    return name


def refuse_url_secrets(toml_file: Path, values: Iterable[tuple[str, Any]]) -> None:
    """A URL with a password in a profile file is refused; the password is never shown."""
    for key, value in values:
        if not isinstance(value, str) or "://" not in value:
            continue
        try:
            parts = urlsplit(value)
            password = parts.password
        except ValueError:
            continue
        if password:
            raise ConfigError(
                f"{toml_file}: key '{key}' holds a URL with a password; remove it from the "
                f"file and {_where_passwords_go(value)}"
            )
        carried = _secret_parameter(parts.query) or _secret_parameter(parts.fragment)
        if carried:
            raise ConfigError(
                f"{toml_file}: key '{key}' holds a URL carrying a secret ({carried}=...); "
                f"remove it from the file and {_where_passwords_go(value)}"
            )


# Query (or fragment) parameters whose value is a credential: any name holding one of the
# strong words (`sslpassword`, `access_token`, `X-Amz-Signature`), or ending in a weaker one
# after a separator (`api_key`, `sig`); `sslkey` (a file path) and `authSource` are not.
_SECRET_PARAMETER = re.compile(
    r"(?i)(token|password|passwd|pwd|secret|signature|credential)"
    r"|(^|[_-])(sig|auth|api[_-]?key|access[_-]?key|private[_-]?key)$"
)


def _secret_parameter(query: str) -> str | None:
    """The name of the first parameter of `query` that carries a credential, if any."""
    for pair in query.split("&") if query else ():
        name, eq, given = pair.partition("=")
        if eq and given and _SECRET_PARAMETER.search(name):
            return name
    return None


def _where_passwords_go(url: str) -> str:
    """A database URL's password belongs to libpq's own places; a server's to MLflow's."""
    if url.split(":", 1)[0].split("+", 1)[0].lower() in ("postgresql", "postgres"):
        return "give the database password in PGPASSWORD or ~/.pgpass instead"
    if url.lower().startswith("mysql"):
        return "give the database password in the MySQL option file (~/.my.cnf) instead"
    return (
        "export MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (or "
        "MLFLOW_TRACKING_TOKEN) in the environment instead"
    )
