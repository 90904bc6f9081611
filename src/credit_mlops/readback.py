"""What the tool reads back from files it wrote earlier (run artifacts, outbox records) is
checked before it is used: corrupted, empty, truncated or foreign content is one line,
exit 2, naming the file and what to do - never a traceback, never a silent fallback.

Standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from credit_mlops.errors import InputError

T = TypeVar("T")
# The largest JSON the tool writes back is a holdout's row list: some 10 bytes a row.
MAX_JSON_BYTES = 512 << 20


def capped_bytes(path: Path, limit: int) -> bytes | None:
    """The bytes of `path` if it holds at most `limit` of them, else None: never read whole
    (a huge or sparse file would take several times its size in memory). OSError as open
    and read raise it."""
    with path.open("rb") as fh:
        raw = fh.read(limit + 1)
    return raw if len(raw) <= limit else None


def json_file(path: Path, *, what: str, fix: str) -> Any:
    """The parsed JSON of `path`; InputError if it is unreadable, empty or not JSON."""
    try:
        raw = capped_bytes(path, MAX_JSON_BYTES)
    except OSError as exc:
        raise InputError(f"{what} cannot be read ({exc.strerror}); {fix}") from None
    if raw is None:
        raise InputError(
            f"{what} is larger than {MAX_JSON_BYTES >> 20} MB, far above any the tool writes; {fix}"
        )
    if not raw.strip():
        raise InputError(f"{what} is empty; {fix}")
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise InputError(f"{what} is not JSON the tool wrote (nested too deep); {fix}") from None
    except ValueError as exc:  # not UTF-8, not JSON, or a number of thousands of digits
        raise InputError(f"{what} is not valid JSON ({_short(exc)}); {fix}") from None


class DuplicateKey(ValueError):
    """A JSON object that gives one key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`json.loads(..., object_pairs_hook=unique_keys)`: an object as a dict, refusing a key
    given twice (json keeps the last one silently)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return out


def parsed(data: Any, parse: Callable[[Any], T], *, what: str, fix: str) -> T:
    """`parse(data)`, with any shape or type problem as one line naming `what`."""
    try:
        return parse(data)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise InputError(f"{what} is not one the tool wrote ({_short(exc)}); {fix}") from None


def _short(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}" if isinstance(exc, KeyError) else str(exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__
