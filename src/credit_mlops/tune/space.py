"""The space one `credit tune` run searches: the model kind's own (the catalog) with the
profile's overrides, names checked against the estimator's parameters."""

from __future__ import annotations

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError
from credit_mlops.modeling.search_spaces import Param


def check_key(key: str) -> None:
    from credit_mlops.modeling.catalog import ENSEMBLE_KEY, MODEL_KEYS

    if key == ENSEMBLE_KEY:
        raise InputError(
            "tune takes one catalogue model: tune the ensemble's members one by one and put "
            "their parameters in [ensemble.params.<member>]"
        )
    if "," in key:
        raise InputError(
            f"--model {key!r}: tune takes one model key (a study searches one model); run one "
            "worker per model"
        )
    if key not in MODEL_KEYS:
        raise InputError(f"--model: unknown model '{key}' (choose from: {', '.join(MODEL_KEYS)})")


def check_variant(settings: Settings, key: str) -> None:
    """A study tunes the exact model its space describes: the approximate variant a setting
    picks (train.svm_approx) has other parameters, so a study of one cannot serve the other."""
    from credit_mlops.modeling.catalog import KINDS

    if settings.train.svm_approx and KINDS[key].approx_factory is not None:
        raise InputError(
            f"credit tune {key} tunes the exact model, and train.svm_approx picks its "
            "approximation, whose parameters differ: unset train.svm_approx (or "
            "CREDIT_TRAIN__SVM_APPROX) to tune, or train the approximation with its defaults"
        )


def space_for(settings: Settings, key: str) -> dict[str, Param]:
    """The catalogue's space for `key` with the profile's overrides, names checked against
    the estimator's parameters and values against the estimator (`space_values`)."""
    from credit_mlops.modeling import estimators
    from credit_mlops.modeling.catalog import KINDS
    from credit_mlops.modeling.search_spaces import resolve_space
    from credit_mlops.modeling.space_values import check_overrides

    check_key(key)
    spaces = {}
    # every model's overrides, not only this one's: a typo in another model's table is said
    # now, not when that model is tuned on another machine
    for name in dict.fromkeys([key, *settings.tune.space]):
        model = estimators.estimator(name, settings.train.seed)
        overrides = settings.tune.space.get(name) or {}
        params = set(model.get_params(deep=True))
        spaces[name] = resolve_space(name, KINDS[name].space, overrides, params)
        check_overrides(name, model, KINDS[name].space, overrides, spaces[name])
    return spaces[key]
