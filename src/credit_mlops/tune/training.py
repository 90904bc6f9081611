"""`credit tune --train`: the study's best parameters trained as a normal training run
(logged, registered) tagged `tuned_from` = `<study>/<tune run id>` (`train.tuned`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError
from credit_mlops.modeling.search_spaces import Param

if TYPE_CHECKING:
    from credit_mlops.train.train import TrainReport


def best_problem(study: Any, best: Any, space: Mapping[str, Param], key: str) -> str | None:
    """Why the best trial `best` (an Optuna FrozenTrial) of `study` holds a value its
    objective never gives (infinite, a ROC AUC above 1, a negative cost:
    `objective.value_problem`) or parameters a search of `space` cannot give (a value out of
    range, of another type, an unknown name), its storage edited by another tool, as one
    refusal line; None when it is sound. The parameters are checked as `credit train
    --params-from` checks them (`train.tuned`)."""
    from credit_mlops.train.tuned import tuned_problem
    from credit_mlops.tune.objective import value_problem

    problem = value_problem(study.user_attrs.get("objective"), best.value)
    if problem is not None:
        problem = f"has a value no trial scores: {problem}"
    elif (params := tuned_problem(best.params, space, key)) is not None:
        problem = f"{params}, which a search of its space never gives"
    else:
        return None
    return (
        f"study {study.study_name!r}: its best trial {best.number} {problem} (its storage "
        "was changed by another tool); use a new journal or another --study name"
    )


def checked_best(study: Any, space: Mapping[str, Param], key: str) -> dict[str, object]:
    """The study's best parameters ({} without a complete trial), checked by `best_problem`:
    exit 2 (InputError) when its value or parameters are none a search of `space` gives."""
    try:
        best = study.best_trial
    except ValueError:  # no complete trial yet
        return {}
    problem = best_problem(study, best, space, key)
    if problem is not None:
        raise InputError(problem)
    return dict(best.params)


def train_best(
    settings: Settings, key: str, params: dict[str, object], *, tuned_from: str
) -> TrainReport:
    """Train, log and register `key` with `params` (checked by `checked_best`) as a normal
    training run, tagged `tuned_from` = `<study>/<tune run id>`."""
    from credit_mlops.train.inputs import TrainInputs
    from credit_mlops.train.train import train
    from credit_mlops.train.tuned import with_tuned

    if not params:
        raise InputError("the study has no complete trial yet: nothing to train")
    inputs = TrainInputs(model_params={key: dict(params)})
    return train(with_tuned(settings, key, tuned_from), inputs)
