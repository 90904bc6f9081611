"""`credit tune --train`: the study's best parameters trained as a normal training run
(logged, registered) tagged `tuned_from` = `<study>/<tune run id>` (`train.tuned`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError

if TYPE_CHECKING:
    from credit_mlops.train.train import TrainReport


def train_best(
    settings: Settings, key: str, params: dict[str, object], *, tuned_from: str
) -> TrainReport:
    """Train, log and register `key` with `params` as a normal training run, tagged
    `tuned_from` = `<study>/<tune run id>`."""
    from credit_mlops.train.inputs import TrainInputs
    from credit_mlops.train.train import train
    from credit_mlops.train.tuned import with_tuned

    if not params:
        raise InputError("the study has no complete trial yet: nothing to train")
    inputs = TrainInputs(model_params={key: dict(params)})
    return train(with_tuned(settings, key, tuned_from), inputs)
