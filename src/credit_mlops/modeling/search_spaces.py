"""Hyperparameter search spaces: their types, and a model's space with a profile's overrides.

Pure and cheap to import (no scikit-learn, no Optuna): each model kind's own space is in the
catalog (modeling/catalog.py); `credit tune` resolves it here, the settings validate overrides
with it. Names are the estimator's own parameters (`get_params()`), the same
names the training run logs as `model__<name>`; a calibrated SVM's are `estimator__<name>`.

A profile overrides one parameter at a time:

    [tune.space.xgboost]
    max_depth = { low = 2, high = 6 }
    learning_rate = { low = 0.01, high = 0.2, log = true }
    booster = { choices = ["gbtree", "dart"] }

Two integers make an integer range, anything else numeric a float range.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from credit_mlops.errors import ConfigError

Scalar = str | int | float | bool


@dataclass(frozen=True)
class FloatRange:
    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class IntRange:
    low: int
    high: int
    log: bool = False
    step: int = 1


@dataclass(frozen=True)
class Choice:
    choices: tuple[Scalar, ...]


Param = FloatRange | IntRange | Choice
Space = Mapping[str, Param]

_RANGE_KEYS = frozenset({"low", "high", "log", "step"})


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_param(where: str, raw: object) -> Param:
    """One override from TOML: `{low, high[, log][, step]}` or `{choices = [...]}`."""
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{where}: expected a table like {{ low = 1, high = 10 }} or {{ choices = [...] }}"
        )
    keys = set(raw)
    if keys == {"choices"}:
        choices = raw["choices"]
        if not isinstance(choices, list | tuple) or not choices:
            raise ConfigError(f"{where}: empty choices; give at least one value")
        if not all(isinstance(c, str | int | float | bool) for c in choices):
            raise ConfigError(f"{where}: choices must be strings, numbers or booleans")
        return Choice(tuple(choices))
    if not {"low", "high"} <= keys or not keys <= _RANGE_KEYS:
        raise ConfigError(
            f"{where}: expected low and high (optionally log, step) or choices, got "
            f"{', '.join(sorted(keys)) or 'nothing'}"
        )
    low, high, log = raw["low"], raw["high"], raw.get("log", False)
    if not (is_number(low) and is_number(high)) or not isinstance(log, bool):
        raise ConfigError(f"{where}: low and high must be numbers and log true or false")
    if low > high:
        raise ConfigError(f"{where}: empty range (low {low} > high {high}); give low <= high")
    if log and low <= 0:
        raise ConfigError(f"{where}: a log range needs low > 0 (got {low})")
    if isinstance(low, int) and isinstance(high, int):
        step = raw.get("step", 1)
        if not isinstance(step, int) or isinstance(step, bool) or step < 1:
            raise ConfigError(f"{where}: step must be a positive integer")
        if log and step != 1:
            raise ConfigError(f"{where}: a log range cannot have a step")
        return IntRange(low, high, log=log, step=step)
    if "step" in keys:
        raise ConfigError(f"{where}: step is for integer ranges (give integer low and high)")
    return FloatRange(float(low), float(high), log=log)


def resolve_space(
    key: str, base: Space, overrides: Mapping[str, object] | None, known: Collection[str]
) -> dict[str, Param]:
    """The model kind's space (`base`, from the catalog) with the profile's overrides,
    checked against the estimator's parameter names (`known`)."""
    space: dict[str, Param] = dict(base)
    for name, raw in (overrides or {}).items():
        where = f"tune.space.{key}.{name}"
        if name not in known:
            raise ConfigError(
                f"{where}: unknown parameter {name!r} for model {key!r} "
                f"(it has: {', '.join(sorted(known))})"
            )
        space[name] = parse_param(where, raw)
    if not space:
        raise ConfigError(
            f"model {key!r} has no search space; declare one in the profile as [tune.space.{key}]"
        )
    unknown = sorted(set(space) - set(known))
    if unknown:
        raise ConfigError(
            f"search space of {key!r} names parameters its estimator lacks: {', '.join(unknown)}"
        )
    return space


def describe(param: Param) -> str:
    """A short human form, e.g. `0.01..0.3 (log)` or `gini | entropy`."""
    if isinstance(param, Choice):
        return " | ".join(str(c) for c in param.choices)
    text = f"{param.low}..{param.high}"
    if isinstance(param, IntRange) and param.step != 1:
        text += f" step {param.step}"
    return text + (" (log)" if param.log else "")
