"""A description as TOML gives it: the TOML text parsed (every TOML file the tool reads, a
profile included, goes through `parse_toml`), and its codes checked before pydantic reads them
as a mapping (keys are text there, so a code written twice, as 1 and "1", would be lost): each
listed once, each label text, each whole-number code one a data file holds exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credit_mlops.errors import InputError

TOO_DEEP = "nested too deep to be read: arrays or tables inside each other thousands of times"


def parse_toml(text: str, refuse: Callable[[str], InputError]) -> dict[str, object]:
    """The parsed TOML of `text`. A syntax error, nesting deep enough to exhaust the parser's
    recursion (`x = [[[[...` 50,000 times) or a file too large to hold raises
    `refuse(reason)`: the caller's one line naming the file, never a traceback."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc)
    except RecursionError:
        reason = TOO_DEEP
    except MemoryError:
        reason = "too large to be read into memory"
    raise refuse(reason) from None


def normalised(data: dict[str, Any]) -> dict[str, Any]:
    """TOML keys are text: a code written twice (as 1 and "1") is caught here, not lost."""
    out = dict(data)
    columns = out.get("columns")
    if isinstance(columns, dict):
        out["columns"] = {name: _column(name, raw) for name, raw in columns.items()}
    return out


def _column(name: str, raw: object) -> object:
    if not isinstance(raw, dict) or not isinstance(raw.get("codes"), dict | list):
        return raw
    codes = raw["codes"]
    pairs = codes.items() if isinstance(codes, dict) else [(c, c) for c in codes]
    keys = [str(k).strip() for k, _ in pairs]
    for key, (_, label) in zip(keys, pairs, strict=True):
        if not isinstance(label, str | int | float) or isinstance(label, bool):
            raise BadCodes(f"column {name!r}: the label of code {key!r} is not text; quote it")
        if is_int(key) and abs(int(key)) > 2**53:
            raise BadCodes(
                f"column {name!r}: code {key} is beyond the whole numbers a data file holds "
                "exactly (2**53); fix the code"
            )
    numbers = [_as_number(k) for k in keys]
    same: list[object] = numbers if all(n is not None for n in numbers) else list(keys)
    twice = sorted({k for k, v in zip(keys, same, strict=True) if same.count(v) > 1})
    if twice:
        raise BadCodes(f"column {name!r}: code(s) {', '.join(twice)} listed twice; list each once")
    return {**raw, "codes": {k: str(v) for k, (_, v) in zip(keys, pairs, strict=True)}}


class BadCodes(ValueError):
    """Codes refused before pydantic sees them as a mapping (a code listed twice is lost
    there); the message says what to do."""


def _as_number(text: str) -> object:
    """A numeric code's value ("01", "1.0" and 1 are one code), None for text."""
    import math

    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) <= 2**53 else value


def is_int(text: str) -> bool:
    return text.isascii() and text.lstrip("-").isdigit()


def code_key(value: object) -> str | None:
    """A data value as a code key: 2, 2.0 and "2" are "2"; text stays text."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() else str(value)
    if hasattr(value, "item"):  # numpy scalars
        return code_key(value.item())
    return str(value)
