"""The Optuna study: seeded TPE sampler, median pruner, parameters suggested from a space.

Reproducible: trial n's suggestion comes from a TPE sampler seeded with (seed, n) over the
history stored so far, so one worker with one seed repeats a study bit for bit, and several
workers sharing a study never draw the same random start-up points.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from credit_mlops.modeling.search_spaces import Choice, FloatRange, IntRange, Param

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings


def _seed_for(seed: int, number: int) -> int:
    return (seed * 1_000_003 + number) % (2**32)


def sampler(seed: int) -> Any:
    import optuna

    class PerTrialSeededTPE(optuna.samplers.BaseSampler):
        """A TPE sampler re-seeded from (seed, trial number) before every trial."""

        def __init__(self) -> None:
            self._inner = self._tpe(0)

        @staticmethod
        def _tpe(number: int) -> optuna.samplers.TPESampler:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # constant_liar / multivariate are experimental
                return optuna.samplers.TPESampler(seed=_seed_for(seed, number))

        def before_trial(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
            self._inner = self._tpe(trial.number)
            self._inner.before_trial(study, trial)

        def infer_relative_search_space(self, study: Any, trial: Any) -> Any:
            return self._inner.infer_relative_search_space(study, trial)

        def sample_relative(self, study: Any, trial: Any, search_space: Any) -> Any:
            return self._inner.sample_relative(study, trial, search_space)

        def sample_independent(
            self, study: Any, trial: Any, param_name: str, param_distribution: Any
        ) -> Any:
            return self._inner.sample_independent(study, trial, param_name, param_distribution)

        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            self._inner.after_trial(study, trial, state, values)

    return PerTrialSeededTPE()


def pruner() -> Any:
    """Median pruning on the running mean of fold scores, once 5 trials are complete and from
    the second fold on (one fold alone is too noisy on a few hundred rows)."""
    import optuna

    return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)


def open_study(
    storage: Any, name: str, direction: str, seed: int, attrs: Mapping[str, str] | None = None
) -> Any:
    """Create the study or join it. A study made for another direction, model or objective
    (`attrs`, kept as the study's user attributes) is refused."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # no INFO lines on stderr
    try:
        return _open_study(optuna, storage, name, direction, seed, attrs)
    except optuna.exceptions.StorageInternalError as exc:  # the database refused: one line
        from credit_mlops.tune.storage import database_failure

        error = database_failure(exc, str(getattr(storage, "url", "")))
        if error is None:
            raise
        raise error from None


def _open_study(
    optuna: Any,
    storage: Any,
    name: str,
    direction: str,
    seed: int,
    attrs: Mapping[str, str] | None,
) -> Any:
    from credit_mlops.errors import ConfigError

    try:  # an existing study is loaded, not re-created: a refused worker writes nothing
        study = optuna.load_study(
            study_name=name, storage=storage, sampler=sampler(seed), pruner=pruner()
        )
    except KeyError:  # a new study (or one another worker creates at this very moment)
        study = optuna.create_study(
            storage=storage,
            study_name=name,
            direction=direction,
            sampler=sampler(seed),
            pruner=pruner(),
            load_if_exists=True,
        )
    if study.direction.name.lower() != direction:
        raise ConfigError(
            f"study {name!r} already exists and is {study.direction.name.lower()}d; "
            f"this objective is {direction}d: give another --study name"
        )
    stored = study.user_attrs
    wanted = dict(attrs or {})
    if wanted and not stored.keys() & {"model_key", "objective"} and study.trials:
        # trials, but no question recorded: plain Optuna's or another tool's study, whose
        # best trial must never count as one of this question's (a study just made by
        # another worker has no trials yet, and is joined: its maker records the question)
        raise ConfigError(
            f"study {name!r} holds {len(study.trials)} trial(s) but records no question "
            "(model, objective, folds, data): it was not made by credit tune; give another "
            "--study name"
        )
    differ = [k for k, v in wanted.items() if k in stored and stored[k] != v]
    foreign = [k for k in differ if str(stored[k]) == str(wanted[k])]
    if foreign:  # the same value as another type: not a record credit wrote
        k = foreign[0]
        raise ConfigError(
            f"study {name!r} records {k} as {stored[k]!r} ({type(stored[k]).__name__}), "
            f"which credit never writes: its storage was changed by another tool; use a "
            "new journal or another --study name"
        )
    if differ:  # one study, one question: trials of another question would mix in its best
        was = ", ".join(f"{k} {stored[k]}" for k in differ)
        now = ", ".join(f"{k} {wanted[k]}" for k in differ)
        raise ConfigError(
            f"study {name!r} was made for {was}; this worker asks {now}: give another "
            "--study name, or the study's own settings"
        )
    for attr, value in wanted.items():
        if attr not in stored:  # recorded by the first worker (or one of an older version)
            study.set_user_attr(attr, value)
    return study


def study_identity(
    settings: Settings,
    key: str,
    digests: tuple[str, str],
    space: Mapping[str, Param] | None = None,
) -> dict[str, str]:
    """What defines a study's question: a worker that differs in any of these is refused,
    so the best trial is never chosen across different models, folds, seeds, data, data
    descriptions or search spaces (Optuna itself refuses a parameter's range changed
    mid-study only for its log scale, with a traceback, and takes a new range silently).
    `digests` are the data's (its content) and its description's (kinds, codes, ranges,
    missing values: what decides the features), as training runs log them.

    Numbers are recorded exactly (`exact`). Every setting the trial's pipeline builder
    reads is here: class_weight, and the scorecard's settings for the scorecard (the trial
    neither calibrates nor runs the inner search, and the ensemble is not tuned).

    A study recorded by an older credit lacks the keys added since (smote_m_neighbors,
    data_description_digest, class_weight, scorecard): `open_study` lets a worker join it
    only if every key the study does record matches, and then records the missing ones from
    that worker, so every later worker must match them too. A study recorded with :g of a
    number whose :g is not exact (0.3000001 as 0.3) is refused: give it another --study."""
    from credit_mlops.modeling.catalog import RAW_KEYS
    from credit_mlops.modeling.search_spaces import describe

    data_digest, description_digest = digests
    raw = key in RAW_KEYS  # the scorecard: its own settings, no resampling, no class weights
    cfg, t = settings.train, settings.tune
    shown = "; ".join(f"{n}={describe(p)}" for n, p in sorted((space or {}).items()))
    return {
        "search_space": shown or "default",
        "model_key": key,
        "objective": t.objective,
        "folds": str(t.folds),
        "seed": str(cfg.seed),
        "test_size": exact(cfg.test_size),
        "data_digest": data_digest,
        "cost_matrix": f"accept_bad={exact(settings.cost.accept_bad)},"
        f"reject_good={exact(settings.cost.reject_good)}",
        "smote": f"{cfg.smote_method}(k={cfg.smote_k_neighbors})" if cfg.smote else "off",
        # a key of its own, so a study recorded before it is joined (and gets it recorded)
        "smote_m_neighbors": str(cfg.smote_m_neighbors)
        if cfg.smote and cfg.smote_method == "BorderlineSMOTE"
        else "unused",
        # likewise: a study recorded before it is joined by a worker whose other keys match
        "data_description_digest": description_digest,
        # likewise: what else the trial's pipeline builder reads (tune.tune._builder)
        "class_weight": "unused" if raw else str(cfg.class_weight).lower(),
        "scorecard": json.dumps(settings.scorecard.params(), sort_keys=True) if raw else "unused",
    }


def exact(number: float) -> str:
    """`number` as the identity records it: exactly (a worker with 0.3000001 is not one with
    0.3), in the short `:g` form older versions wrote when that form is exact, so a study they
    recorded with 0.3 or 5 is still joined by the same settings."""
    short = f"{number:g}"
    return short if float(short) == number else repr(float(number))


def suggest(trial: Any, space: Mapping[str, Param]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, param in space.items():
        if isinstance(param, Choice):
            out[name] = trial.suggest_categorical(name, list(param.choices))
        elif isinstance(param, IntRange):
            out[name] = trial.suggest_int(
                name, param.low, param.high, step=param.step, log=param.log
            )
        elif isinstance(param, FloatRange):
            out[name] = trial.suggest_float(name, param.low, param.high, log=param.log)
    return out


def finished_states() -> Sequence[Any]:
    from optuna.trial import TrialState

    return (TrialState.COMPLETE, TrialState.PRUNED)
