"""What every settings section shares: unknown keys refused, assignments validated, and a
true/false never taken for a number or a number for true/false (pydantic's lax mode would
read `seed = true` as 1 and `fast = 1` as true; the text of an environment variable is
still parsed as usual)."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


def _kinds(annotation: Any) -> set[Any]:
    """The plain types an annotation admits (through `X | None`, Annotated, Literal, ...)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return {k for arg in typing.get_args(annotation) for k in _kinds(arg)}
    if origin is typing.Literal:
        return {type(v) for v in typing.get_args(annotation)}
    return {origin or annotation}


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_number(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None:
            return value
        kinds = _kinds(cls.model_fields[info.field_name].annotation)
        if Any in kinds or object in kinds:
            return value
        if isinstance(value, bool) and bool not in kinds and kinds & {int, float}:
            raise ValueError(f"expected a number, not {str(value).lower()}")
        if type(value) in (int, float) and kinds == {bool}:
            raise ValueError(f"expected true or false, not {value}")
        return value
