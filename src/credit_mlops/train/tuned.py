"""Training with tuned parameters: `credit train --params-from RUN_ID` and `credit tune
--train` both end in a normal training run (logged, registered) tagged `tuned_from` =
`<study>/<tune run id>`. Applied by the core (`train.train.train`, the Spark engine), so a
caller of the library gets the same checks as the command."""

from __future__ import annotations

from dataclasses import replace

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError
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
    Refused before any work: a run that is not a tune run, another model key, or both
    `params_from` and explicit `model_params`."""
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
    tuned_from = f"{tuned.study}/{run_id}"
    return (
        with_tuned(settings, tuned.model_key, tuned_from),
        replace(inputs, params_from=None, model_params={tuned.model_key: tuned.params}),
    )
