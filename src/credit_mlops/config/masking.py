"""Showing settings safely: secrets masked, URIs redacted (`credit_mlops.redaction`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import SecretStr

from credit_mlops.redaction import MASK, redact


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
        return MASK if value.get_secret_value() else ""
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    if isinstance(value, str) and "://" in value:
        return redact(value)
    return str(value)
