"""What every settings section shares: unknown keys refused, assignments validated, and no
value converted into what it is not (strictness.py: a true/false is no number, a number no
true/false, infinity and NaN no number; the text of an environment variable still parses)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from credit_mlops.strictness import checked


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _unconverted(cls, value: Any, info: ValidationInfo) -> Any:
        return checked(cls, value, info, text_for_numbers=True)

    @field_validator("*", mode="after")
    @classmethod
    def _finite(cls, value: Any, info: ValidationInfo) -> Any:  # "inf" from the environment
        return checked(cls, value, info, text_for_numbers=True)
