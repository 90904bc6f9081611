"""Who may call the service: loopback binds are open; any other address needs a bearer
token (from the environment or a file, never a flag) unless --insecure is given."""

from __future__ import annotations

import hmac
import ipaddress
import re
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


MAX_TOKEN_FILE_BYTES = 64 * 1024


def resolve_token(token: Any, token_file: Path | None) -> str | None:
    """serve.token (CREDIT_SERVE__TOKEN), else the first line of serve.token_file."""
    if token is not None:
        value = str(token.get_secret_value()).strip()
    elif token_file is not None:
        from credit_runtime.regular_file import read_regular

        def small(info: Any) -> None:  # a token is a line; /dev/zero or a pipe never ends
            if info.st_size > MAX_TOKEN_FILE_BYTES:
                raise OSError(0, f"larger than {MAX_TOKEN_FILE_BYTES:,} bytes")

        try:  # a regular file only: a pipe would hang the start, a device never end
            text = read_regular(token_file, check=small).decode("utf-8-sig")
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
    where = "CREDIT_SERVE__TOKEN" if token is not None else f"serve.token_file {token_file}"
    if len(value) < MIN_TOKEN:
        raise ConfigError(
            f"the serve token ({where}) is shorter than {MIN_TOKEN} characters; {MAKE_ONE}"
        )
    if not B64TOKEN.fullmatch(value):  # never shown: a secret, and the characters may be
        raise ConfigError(  # terminal controls
            f"the serve token ({where}) holds characters a client cannot send in an "
            "'Authorization: Bearer' header (only letters, digits, -._~+/ and = at the end); "
            + MAKE_ONE
        )
    return value


MIN_TOKEN = 16
MAKE_ONE = (
    'use a long random one (e.g. python -c "import secrets; print(secrets.token_urlsafe(32))")'
)
# RFC 6750's b64token, what `Authorization: Bearer` carries; ASCII only (re.ASCII)
B64TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*", re.ASCII)


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
