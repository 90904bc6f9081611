"""Training a model with tuned parameters: `credit tune --train` and
`credit train --params-from RUN_ID` both end in a normal training run (logged, registered)
tagged `tuned_from` = `<study>/<tune run id>`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError

if TYPE_CHECKING:
    from credit_mlops.train.train import TrainReport


def _with_tuned(settings: Settings, key: str, tuned_from: str) -> Settings:
    out = settings.model_copy(deep=True)
    out.train.models = [key]
    out.tracking.tags = {**settings.tracking.tags, "tuned_from": tuned_from}
    return out


def train_best(
    settings: Settings, key: str, params: dict[str, object], *, tuned_from: str
) -> TrainReport:
    """Train, log and register `key` with `params` as a normal training run, tagged
    `tuned_from` = `<study>/<tune run id>`."""
    from credit_mlops.train.inputs import TrainInputs
    from credit_mlops.train.train import train

    if not params:
        raise InputError("the study has no complete trial yet: nothing to train")
    inputs = TrainInputs(model_params={key: dict(params)})
    return train(_with_tuned(settings, key, tuned_from), inputs)


def params_from_run(
    settings: Settings, run_id: str
) -> tuple[Settings, dict[str, dict[str, object]]]:
    """`credit train --params-from RUN_ID`: the tuned parameters of a `credit tune` run for
    the one model being trained, and settings that tag the run `tuned_from`."""
    from credit_mlops.tracking.open import open_tracker
    from credit_mlops.tune.space import space_for

    tuned = open_tracker(settings, existing=True).tune_runs().tuned_params(run_id)
    keys = list(settings.train.models)
    if keys != [tuned.model_key]:
        raise InputError(
            f"run {run_id} tuned model '{tuned.model_key}', but this run trains "
            f"{', '.join(keys)}; give --model {tuned.model_key} with --params-from"
        )
    space_for(settings, tuned.model_key)  # the key still exists in the catalogue
    tuned_from = f"{tuned.study}/{run_id}"
    return _with_tuned(settings, tuned.model_key, tuned_from), {tuned.model_key: tuned.params}
