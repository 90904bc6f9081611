"""What a settings file or a data description may not have converted for it: pydantic's lax
mode reads `seed = true` as 1, `missing = 1` as true, `range = ["1", "9"]` as numbers and
takes `inf` and `nan` as numbers. A value is checked against the plain types its field's
annotation admits (through `X | None`, lists, tuples, dicts and Literal), before pydantic
converts it. The text of an environment variable is left to pydantic (it is always text).
"""

from __future__ import annotations

import math
import types
import typing
from pathlib import Path
from typing import Any

_SCALARS = {int, float, str, bool, type(None)}


def kinds(annotation: Any) -> set[Any]:
    """The plain types an annotation admits at its top level."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return {k for arg in typing.get_args(annotation) for k in kinds(arg)}
    if origin is typing.Literal:
        return {type(v) for v in typing.get_args(annotation)}
    return {origin or annotation}


def _members(annotation: Any, container: type) -> list[Any]:
    """The annotations of `container`'s items inside `annotation` (through unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0], container)
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg, container)]
    if origin is container:
        return list(typing.get_args(annotation))
    return []


def check(value: Any, annotation: Any, *, text_for_numbers: bool) -> None:
    """ValueError naming what is wrong with `value` for `annotation`; `text_for_numbers`
    allows text where a number is expected (an environment variable's)."""
    allowed = kinds(annotation)
    if Any in allowed or object in allowed:
        return
    numbers = allowed & {int, float}
    if isinstance(value, bool):
        if bool not in allowed and numbers:
            raise ValueError(f"expected a number, not {str(value).lower()}")
    elif isinstance(value, int | float):
        if allowed == {bool}:
            raise ValueError(f"expected true or false, not {value}")
        if isinstance(value, float) and not math.isfinite(value) and numbers:
            raise ValueError(f"expected a finite number, not {value}")
        if isinstance(value, float) and numbers == {int}:  # TOML's 3.0 is no count
            raise ValueError(f"expected a whole number, not {value!r} (write it without '.')")
    elif isinstance(value, str) and Path in allowed and not value.strip():
        # Path("") or Path(" ") would be the project folder, or a file named by blanks
        raise ValueError("is empty: give a path, or leave the setting out")
    elif isinstance(value, str) and allowed == {bool}:
        # an environment variable's text says true or false (or 1 / 0), never "yes" or "on"
        if not text_for_numbers or value.strip().lower() not in ("true", "false", "1", "0"):
            raise ValueError(f"expected true or false, not the text {value!r}")
    elif isinstance(value, str) and not text_for_numbers and str not in allowed:
        if numbers and not allowed & {list}:
            raise ValueError(f"expected a number, not the text {value!r}")
    elif isinstance(value, str) and numbers and str not in allowed and not allowed & {list}:
        _number_text(value.strip(), whole=float not in allowed)
    elif isinstance(value, list | tuple):
        for container in (list, tuple):
            members = [m for m in _members(annotation, container) if m is not Ellipsis]
            if members:
                for i, item in enumerate(value):
                    member = members[min(i, len(members) - 1)]
                    check(item, member, text_for_numbers=text_for_numbers)
                return
    elif isinstance(value, dict):
        members = _members(annotation, dict)
        if len(members) == 2:
            for item in value.values():
                check(item, members[1], text_for_numbers=text_for_numbers)
        elif allowed and allowed <= _SCALARS:  # a table where one value belongs
            raise ValueError("expected a single value, not a table")


def _number_text(text: str, *, whole: bool) -> None:
    """An environment variable's text for a number: a whole number for a count or a seed
    (pydantic would read "1.0" as 1), and never inf or nan (which pydantic would compare
    with the field's bounds first, so the refusal would name a bound, not the nan)."""
    import re

    if whole and re.fullmatch(r"[+-]?[0-9]+", text) is None:  # ASCII digits: \d takes ٤٢
        raise ValueError(f"expected a whole number, not the text {text!r}")
    if not text.isascii():  # float() reads other scripts' digits; a setting does not
        raise ValueError(f"expected a number, not the text {text!r}")
    try:
        number = float(text)
    except ValueError:
        return  # not a number at all: pydantic says so, at the item it is (a list's, a table's)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, not {text}")


def checked(model: Any, value: Any, info: Any, *, text_for_numbers: bool) -> Any:
    """A pydantic field validator's body: `value` checked against its field's annotation in
    `model` (info: pydantic's ValidationInfo), returned unchanged."""
    if info.field_name is not None:
        annotation = model.model_fields[info.field_name].annotation
        check(value, annotation, text_for_numbers=text_for_numbers)
    return value
