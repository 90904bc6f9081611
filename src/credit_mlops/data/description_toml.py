"""A data description written back as TOML (what `credit data describe -o FILE` writes): the
same keys `described.load` reads, columns in order, each column's codes as a sub-table."""

from __future__ import annotations

import json
import re
from typing import Any

from credit_mlops.data.description import Description

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def to_toml(description: Description, *, header: str = "") -> str:
    data = description.model_dump(mode="json", exclude_defaults=True)
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for key in ("name", "title", "file", "source", "id"):
        if key in data:
            lines.append(f"{key} = {_value(data[key])}")
    lines += ["", "[target]", *_pairs(data["target"])]
    for name, column in data["columns"].items():
        codes = column.pop("codes", None)
        lines += ["", f"[columns.{_key(name)}]", *_pairs(column)]
        if codes:
            lines.append(f"[columns.{_key(name)}.codes]")
            lines += [f"{_key(code)} = {_value(label)}" for code, label in codes.items()]
    for name, rule in data.get("protected", {}).items():
        lines += ["", f"[protected.{_key(name)}]", *_pairs(rule)]
    if data.get("shifts"):
        lines += ["", "[shifts]", *_pairs(data["shifts"])]
    return "\n".join(lines) + "\n"


def _pairs(table: dict[str, Any]) -> list[str]:
    return [f"{_key(k)} = {_value(v)}" for k, v in table.items() if v not in (None, [], {})]


def _key(key: str) -> str:
    return key if _BARE.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    """TOML's basic strings, integers, floats, booleans, arrays and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        whole = value.is_integer() and abs(value) < 1e15  # else 1.7e+308, not 309 digits
        return str(int(value)) if whole else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")
