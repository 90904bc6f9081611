"""Training with tuned parameters: `credit train --params-from RUN_ID` and `credit tune
--train` both end in a normal training run (logged, registered) tagged `tuned_from` =
`<study>/<tune run id>`. Applied by the core (`train.train.train`, the Spark engine), so a
caller of the library gets the same checks as the command."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError, some
from credit_mlops.modeling.search_spaces import Choice, FloatRange, Param, describe
from credit_mlops.train.inputs import TrainInputs


def with_tuned(settings: Settings, key: str, tuned_from: str) -> Settings:
    """`settings` training `key` alone, its runs tagged `tuned_from`."""
    out = settings.model_copy(deep=True)
    out.train.models = [key]
    out.tracking.tags = {**settings.tracking.tags, "tuned_from": tuned_from}
    return out


def apply_params_from(settings: Settings, inputs: TrainInputs) -> tuple[Settings, TrainInputs]:
    """`inputs.params_from` (a `credit tune` run id) resolved into the tuned parameters of the
    one model being trained, and settings that tag the run `tuned_from`; unchanged without it.
    Refused before any work: a run that is not a tune run, another model key, both
    `params_from` and explicit `model_params`, or parameters a search of the model's space
    cannot give (`check_tuned`: the one check of tuned parameters read back)."""
    run_id = inputs.params_from
    if run_id is None:
        return settings, inputs
    if inputs.model_params is not None:
        raise InputError("--params-from and explicit model parameters do not go together")
    from credit_mlops.modeling.catalog import KINDS
    from credit_mlops.tracking.open import open_tracker

    tuned = open_tracker(settings, existing=True).tune_runs().tuned_params(run_id)
    keys = list(settings.train.models)
    if keys != [tuned.model_key]:
        raise InputError(
            f"run {run_id} tuned model '{tuned.model_key}', but this run trains "
            f"{', '.join(keys)}; give --model {tuned.model_key} with --params-from"
        )
    if tuned.model_key not in KINDS:
        raise InputError(
            f"run {run_id} tuned '{tuned.model_key}', a model this version of credit does not "
            "train; tune again with a key from `credit train --help`"
        )
    check_tuned(run_id, tuned.params, space_of(settings, tuned.model_key), tuned.model_key)
    tuned_from = f"{tuned.study}/{run_id}"
    return (
        with_tuned(settings, tuned.model_key, tuned_from),
        replace(inputs, params_from=None, model_params={tuned.model_key: tuned.params}),
    )


def space_of(settings: Settings, key: str) -> dict[str, Param]:
    """The space `credit tune` searches for `key`: the catalogue's, with the profile's
    `[tune.space.<key>]` overrides (already checked by the settings)."""
    from credit_mlops.modeling.catalog import KINDS
    from credit_mlops.modeling.search_spaces import parse_param

    space: dict[str, Param] = dict(KINDS[key].space)
    for name, raw in settings.tune.space.get(key, {}).items():
        space[name] = parse_param(f"tune.space.{key}.{name}", raw)
    return space


def check_tuned(
    run_id: str, params: Mapping[str, object], space: Mapping[str, Param], key: str
) -> None:
    """Tuned parameters read back from a run's tag (anyone with access to the store can edit
    it) are the ones a search of `space` can give: names it knows, values of the type and
    inside the range or among the choices. Otherwise one line, exit 2, before any work."""
    from credit_mlops.tracking.tuning import PARAMS_TAG

    problem = tuned_problem(params, space, key)
    if problem:
        raise InputError(
            f"tag {PARAMS_TAG} of run {run_id} is not one `credit tune` wrote: it "
            f"{problem}; give the parent run id that `credit tune` printed, or tune again"
        )


def tuned_problem(params: Mapping[str, object], space: Mapping[str, Param], key: str) -> str | None:
    """Why `params` are not ones a search of `space` gives (None if they are), e.g. "sets C
    to 1000000000.0, outside 0.001..100.0": the one check of tuned parameters, read back
    from a run's tag (`check_tuned`) or from a study's best trial (`credit tune --train`)."""
    missing = [n for n in space if n not in params]
    problems = [_outside(name, value, space, key) for name, value in params.items()]
    problems += [f"lacks {some(missing)}, which every trial of {key} sets" if missing else None]
    return next((p for p in problems if p), None)


def _outside(name: str, value: object, space: Mapping[str, Param], key: str) -> str | None:
    """Why `value` is not one the search of `space` gives `name` (None if it is)."""
    param = space.get(name)
    if param is None:
        has = f"the search space of {key} has {some(sorted(space))}" if space else "none"
        return f"names the parameter {name!r}, not one tune searches ({has})"
    shown = repr(value)[:60]
    if isinstance(param, Choice):
        if any(_same(value, choice) for choice in param.choices):
            return None
        return f"sets {name} to {shown}, not one of {describe(param)}"
    floats = isinstance(param, FloatRange)
    wrong_float = isinstance(value, float) and not (floats and math.isfinite(value))
    if isinstance(value, bool) or not isinstance(value, int | float) or wrong_float:
        kind = "a finite number" if floats else "an integer"
        return f"sets {name} to {shown}, not {kind} in {describe(param)}"
    if not param.low <= value <= param.high:
        return f"sets {name} to {shown}, outside {describe(param)}"
    return None


def _same(value: object, choice: object) -> bool:
    """`value == choice`, a boolean or a text only equal to its own kind (`True == 1`)."""
    if isinstance(value, bool | str) or isinstance(choice, bool | str):
        return type(value) is type(choice) and value == choice
    return value == choice
