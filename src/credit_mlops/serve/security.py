"""Who may call the service: loopback binds are open; any other address needs a bearer
token (from the environment or a file, never a flag) unless --insecure is given."""

from __future__ import annotations

import hmac
import ipaddress
from pathlib import Path
from typing import Any

from credit_mlops.errors import ConfigError, InputError

OPEN_PATHS = ("/healthz", "/readyz")  # probes answer without a token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name may resolve anywhere


def resolve_token(token: Any, token_file: Path | None) -> str | None:
    """serve.token (CREDIT_SERVE__TOKEN), else the first line of serve.token_file."""
    if token is not None:
        value = str(token.get_secret_value()).strip()
    elif token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8-sig")  # a BOM is not the token's
        except OSError as exc:
            raise ConfigError(
                f"serve.token_file {token_file} cannot be read ({exc.strerror}); fix the path"
            ) from None
        except UnicodeDecodeError:
            raise ConfigError(
                f"serve.token_file {token_file} is not UTF-8 text; write the token on its "
                "first line"
            ) from None
        value = next((line.strip() for line in text.splitlines() if line.strip()), "")
    else:
        return None
    if len(value) < 16:
        raise ConfigError(
            "the serve token is shorter than 16 characters; use a long random one "
            '(e.g. python -c "import secrets; print(secrets.token_urlsafe(32))")'
        )
    return value


def check_bind(host: str, token: str | None, insecure: bool) -> None:
    """A non-loopback address without a token is refused (unless --insecure)."""
    if token is None and not insecure and not is_loopback(host):
        raise InputError(
            f"--host {host} is reachable from other machines: set a token "
            "(CREDIT_SERVE__TOKEN or serve.token_file) or pass --insecure"
        )


def authorised(header: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    if not header:
        return False
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )
