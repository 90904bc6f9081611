"""What a refused setting is said as: the key, where its value came from (a profile file,
an environment variable, a flag) and the fix, in one line."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from pydantic import ValidationError

from credit_mlops.errors import ConfigError, InputError


def config_error(exc: ValidationError, provenance: Mapping[str, str]) -> InputError:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc)
    source = _source_of(loc, provenance)
    message = _plain(err["msg"].removeprefix("Value error, "), err.get("input"))
    across = _across(key, message, provenance)
    if across is not None:  # a rule between settings of one section (a model validator)
        return across
    if err["type"] == "extra_forbidden":
        message = "unknown key; see `credit config show` for the valid ones"
    value = err.get("input")
    if err["type"] == "string_type" and isinstance(value, int | float):  # bools too
        message = f'must be a string (write "{json.dumps(value)}", in quotes)'
    elif err["type"] == "string_type" and value is None:
        message = "must be a string, not null (write it in quotes)"
    if source == "flag":
        return InputError(f"{key}: {message}")
    return ConfigError(f"{source}: key '{key}': {message}")


_BOUNDS = {  # pydantic's words for a bound, and ours
    "Input should be greater than or equal to ": "use at least ",
    "Input should be less than or equal to ": "use at most ",
    "Input should be greater than ": "use more than ",
    "Input should be less than ": "use less than ",
}


def _plain(message: str, value: object) -> str:
    """A bound said as what to use: `8 is out of range; use at most 5`; text that is no
    number said as such."""
    if message.startswith(("Input should be a valid number", "Input should be a valid int")):
        return f"expected a{' whole' * ('integer' in message)} number, not the text {value!r}"
    for words, ours in _BOUNDS.items():
        if message.startswith(words):
            return f"{value} is out of range; {ours}{message.removeprefix(words)}"
    return message


def _source_of(loc: list[str], provenance: Mapping[str, str]) -> str:
    """Where a refused key came from: the key itself, else the setting holding it (a tag
    inside tracking.tags, an item of a list given as JSON), else a section given whole."""
    for end in range(len(loc), 0, -1):
        source = provenance.get(".".join(loc[:end]))
        if source is not None:
            return source
    key = ".".join(loc)
    return next((s for k, s in provenance.items() if k.startswith(key + ".")), "default")


def _across(section: str, message: str, provenance: Mapping[str, str]) -> InputError | None:
    """A rule between settings of a section is said with the settings its message names,
    each with where its value came from, e.g. `train.class_weight (env
    CREDIT_TRAIN__CLASS_WEIGHT) and train.smote (default): ...`; not with the source of
    whichever key of the section was read first."""
    if section in provenance or "." in section:
        return None
    named = dict.fromkeys(re.findall(rf"\b{re.escape(section)}\.[a-z_]+\b", message))
    if not named:
        return None
    sources = {key: provenance.get(key, "default") for key in named}
    said = " and ".join(f"{key} ({source})" for key, source in sources.items())
    error = InputError if "flag" in sources.values() else ConfigError
    return error(f"{said}: {message}")
