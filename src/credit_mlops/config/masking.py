"""Showing settings safely: secrets masked, credentials cut out of URIs. No MLflow import."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

# Query parameters that carry a credential (`?token=...`, `?X-Amz-Signature=...`, ...).
SECRET_QUERY = re.compile(
    r"(?i)(token|password|passwd|pwd|secret|key|sig|signature|auth|credential|session)"
)
MASK = "********"


def redact(uri: str) -> str:
    """The URI without user or password, and with secret query values masked: safe to
    print or log. Works on a URI that is otherwise malformed (e.g. a port of 99999)."""
    if "://" not in uri:
        return uri
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. an unbalanced "[": show only the scheme
        return uri.split("://", 1)[0] + "://…"
    netloc = parts.netloc.rpartition("@")[2]  # user and password gone, port kept as written
    # Rebuilt by hand: urlunsplit turns sqlite:////abs/path into sqlite://abs/path.
    shown = f"{parts.scheme}://{netloc}{parts.path}"
    if parts.query:
        shown += "?" + _mask_query(parts.query)
    if parts.fragment:
        shown += "#" + parts.fragment
    return shown


def _mask_query(query: str) -> str:
    if not query:
        return query
    pairs = []
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        pairs.append(f"{name}={MASK}" if eq and value and SECRET_QUERY.search(name) else pair)
    return "&".join(pairs)


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
