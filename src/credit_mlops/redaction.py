"""URIs shown safely: credentials cut out, secret query and path-parameter values masked.

A root module (standard library only) because every layer shows URIs in its messages: the
settings, the data download and the tracking connection.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Query parameters that carry a credential (`?token=...`, `?X-Amz-Signature=...`, ...).
SECRET_QUERY = re.compile(
    r"(?i)(token|password|passwd|pwd|secret|key|sig|signature|auth|credential|session)"
)
# libpq parameters whose names only look like a credential's: their values are settings
_PLAIN = frozenset({"target_session_attrs", "require_auth"})
MASK = "********"
# A path (matrix) parameter, `;name=value`, in any step of a URI's path.
_PATH_PARAM = re.compile(r";([^;/=]+)=([^;/]*)")


def redact(uri: str) -> str:
    """The URI without user or password, and with secret query values masked: safe to
    print or log. Works on a URI that is otherwise malformed (e.g. a port of 99999)."""
    if "://" not in uri:
        return uri
    outer, inner = _nested(uri)
    if inner is not None:  # k8s://https://user:pw@host: the inner URI carries them
        return f"{outer}://{redact(inner)}"
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. an unbalanced "[": show only the scheme
        return uri.split("://", 1)[0] + "://…"
    netloc = parts.netloc.rpartition("@")[2]  # user and password gone, port kept as written
    # Rebuilt by hand: urlunsplit turns sqlite:////abs/path into sqlite://abs/path.
    shown = f"{parts.scheme}://{netloc}{_mask_path(parts.path)}"
    if parts.query:
        shown += "?" + _mask_query(parts.query)
    if parts.fragment:  # meaningless to a store, and where some tools put tokens
        shown += "#" + MASK
    return shown


def _nested(uri: str) -> tuple[str, str | None]:
    """(`k8s`, `https://host`) for a URI that wraps another (Spark's k8s://https://...)."""
    outer, _, rest = uri.partition("://")
    scheme, sep, _ = rest.partition("://")
    if sep and scheme and scheme.replace("+", "").replace("-", "").isalnum():
        return outer, rest
    return outer, None


def secrets_in(uri: str) -> list[str]:
    """The credentials a URI carries: its password (and user), its secret query values."""
    if "://" not in uri:
        return []
    inner = _nested(uri)[1]
    if inner is not None:
        return secrets_in(inner)
    try:
        parts = urlsplit(uri)
    except ValueError:
        return []
    found = [v for v in (parts.password, parts.username) if v]
    for pair in parts.query.split("&"):
        name, eq, value = pair.partition("=")
        if eq and value and secret_name(name):
            found.append(value)
    for name, value in _PATH_PARAM.findall(parts.path):
        if value and secret_name(name):
            found.append(value)
    if parts.fragment:
        found.append(parts.fragment)
    return sorted(set(found), key=len, reverse=True)


def scrub(text: str, uri: str) -> str:
    """`text` (an error from a library that shows the URI it was given, whole or in parts)
    with the URI's credentials masked and the URI itself redacted."""
    text = text.replace(uri, redact(uri))
    for secret in secrets_in(uri):
        if len(secret) >= 3:  # shorter ones would mask unrelated characters
            text = text.replace(secret, MASK)
    return text


def _mask_path(path: str) -> str:
    """`/api;password=x/runs` as `/api;password=********/runs` (a secret-named value)."""

    def masked(found: re.Match[str]) -> str:
        name, value = found[1], found[2]
        return f";{name}={MASK}" if value and secret_name(name) else found[0]

    return _PATH_PARAM.sub(masked, path)


def _mask_query(query: str) -> str:
    if not query:
        return query
    pairs = []
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        pairs.append(f"{name}={MASK}" if eq and value and secret_name(name) else pair)
    return "&".join(pairs)


def secret_name(name: str) -> bool:
    """Whether a query or path parameter of this name carries a credential."""
    return bool(SECRET_QUERY.search(name)) and name.lower() not in _PLAIN


def is_http(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))
