"""Showing settings safely: secrets masked, credentials cut out of URIs. No MLflow import."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr


def redact(uri: str) -> str:
    """The URI without user or password, safe to print or log."""
    parts = urlsplit(uri)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return uri


def is_http(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


def flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """('section.key', value) pairs; `tags` stays one value."""
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and key != "tags":
            yield from flatten(value, full + ".")
        else:
            yield full, value


def mask(value: Any) -> str:
    """A setting's value as `credit config show` prints it."""
    if isinstance(value, SecretStr):
        return "********" if value.get_secret_value() else ""
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    if isinstance(value, str) and "://" in value:
        return redact(value)
    return str(value)
