"""Which flag sets which setting: one table for every command.

A command hands the flags it was given to `settings_from` by their parameter names; each
row of `FLAGS` says the setting (a dotted path in `Settings`) the value goes to. A switch
such as `--no-smote` sets its row's fixed value when it is on and nothing when it is off,
so an unset flag never hides the environment or the profile (defaults < profile <
environment < flags). Parameters that are not settings (an output file, a target, the
format) never come here; a name missing from the table is a programming error, and
tests/cli checks every command's parameters against it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credit_mlops.config.settings import Settings

_VALUE = object()  # the flag's own value goes to the setting


@dataclass(frozen=True)
class Flag:
    setting: str  # dotted path in Settings, e.g. "train.cv_folds"
    when_on: object = _VALUE  # a switch: the value its setting takes when the switch is on
    parse: Callable[[Any], Any] | None = None  # text -> the setting's value (e.g. JSON tags)

    def value(self, given: object) -> object:
        """What the setting takes from the flag's value; None: the flag was not given."""
        if self.when_on is not _VALUE:
            return self.when_on if given else None
        if given is None or self.parse is None:
            return given
        return self.parse(given)


def tags_json(text: str) -> dict[str, str]:
    """--mlflow-tags: a JSON object of scalar values; anything else is refused."""
    from credit_mlops.errors import InputError, cut
    from credit_mlops.readback import DuplicateKey, unique_keys

    def not_json(constant: str) -> object:  # NaN, Infinity: Python's extension, not JSON
        raise InputError(
            f"--mlflow-tags holds {constant}, which is no JSON value; give text or a finite number"
        )

    try:
        value = json.loads(text, object_pairs_hook=unique_keys, parse_constant=not_json)
    except DuplicateKey as exc:
        raise InputError(
            f"--mlflow-tags gives the tag '{cut(exc.key, 60)}' twice; give it once"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"--mlflow-tags is not valid JSON ({exc.msg}); give an object like "
            '\'{"dataset":"south_german_credit"}\''
        ) from None
    if not isinstance(value, dict):
        raise InputError(
            f"--mlflow-tags must be a JSON object, got {type(value).__name__}; "
            'give an object like \'{"experiment_type":"baseline"}\''
        )
    bad = [k for k, v in value.items() if v is None or isinstance(v, (dict, list, bool))]
    if bad:
        raise InputError(
            f"--mlflow-tags values must be text or numbers; '{cut(bad[0], 60)}' is "
            f"{cut(json.dumps(value[bad[0]]), 40)}"
        )
    return {str(k): str(v) for k, v in value.items()}


def from_here(value: object) -> object:
    """A file named on the command line means the file the shell shows: relative to the
    current folder (a setting's relative path is the project folder's), made absolute now so
    that no later step reads another file of the same name. A URL is left as it is."""
    import os
    from pathlib import Path

    text = os.fspath(value)  # type: ignore[call-overload]
    if "://" in text or not text.strip():  # a URL; a blank one is refused by its setting
        return value
    path = Path(text).expanduser()
    path = path if path.is_absolute() else Path.cwd() / path
    return str(path) if isinstance(value, str) else path  # the setting's own type


FLAGS: dict[str, Flag] = {
    # data
    "data": Flag("data.path", parse=from_here),  # --data: the training data (train, tune, drift)
    "training_data": Flag("data.path", parse=from_here),  # the rows a model was trained on
    "url": Flag("data.url"),
    # train
    "model": Flag("train.models"),
    "test_size": Flag("train.test_size"),
    "calibrate": Flag("train.calibrate"),
    "cv_folds": Flag("train.cv_folds"),
    "cv_repeats": Flag("train.cv_repeats"),
    "seed": Flag("train.seed"),
    "n_jobs": Flag("train.n_jobs"),
    "smote_method": Flag("train.smote_method"),
    "no_smote": Flag("train.smote", when_on=False),
    "class_weight": Flag("train.class_weight"),
    "svm_approx": Flag("train.svm_approx", when_on=True),
    "no_evaluate": Flag("train.evaluate", when_on=False),
    "model_version": Flag("model_version"),
    # tune
    "objective": Flag("tune.objective"),
    "trials": Flag("tune.trials"),
    "timeout": Flag("tune.timeout"),
    "study": Flag("tune.study"),
    "storage": Flag("tune.storage", parse=from_here),
    "folds": Flag("tune.folds"),
    # tracking
    "mlflow_disable": Flag("tracking.enabled", when_on=False),
    "mlflow_uri": Flag("tracking.uri"),
    "mlflow_experiment": Flag("tracking.experiment"),
    "experiment": Flag("tracking.experiment"),  # compare --experiment
    "no_register": Flag("tracking.register_models", when_on=False),
    "mlflow_tags": Flag("tracking.tags", parse=tags_json),
    # spark
    "spark_master": Flag("spark.master"),
    # serve
    "host": Flag("serve.host"),
    "port": Flag("serve.port"),
    "workers": Flag("serve.workers"),
    "poll_seconds": Flag("serve.poll_seconds"),
    "reasons": Flag("serve.reasons"),
}


def overrides(**given: object) -> dict[str, Any]:
    """The given flags as the nested overrides `load_settings` takes (unset ones left out)."""
    nested: dict[str, Any] = {}
    for name, raw in given.items():
        flag = FLAGS[name]
        value = flag.value(raw)
        if value is None:
            continue
        *sections, leaf = flag.setting.split(".")
        node = nested
        for section in sections:
            node = node.setdefault(section, {})
        node[leaf] = value
    return nested


def settings_from(profile: str | None, **given: object) -> Settings:
    """The invocation's settings: defaults < profile < environment < the given flags; a
    flag's value the settings refuse is said with the flag's own name."""
    from credit_mlops.config.loader import load_settings
    from credit_mlops.errors import ConfigError, InputError

    try:
        return load_settings(profile, overrides(**given))
    except ConfigError:
        raise  # a profile's or the environment's, named as such
    except InputError as exc:
        raise _by_flag(exc, given) from None


def settings_and_overrides(profile: str | None, **given: object) -> tuple[Settings, dict[str, Any]]:
    """`settings_from`, and the overrides it applied (for a process that loads the same
    settings again, such as a served model's workers)."""
    return settings_from(profile, **given), overrides(**given)


def _by_flag(exc: Exception, given: dict[str, object]) -> Exception:
    """`train.cv_folds: ...` -> `--cv-folds (train.cv_folds): ...` for the flag that set it."""
    import click

    from credit_mlops.errors import InputError

    text = str(exc)
    for name, raw in given.items():
        flag = FLAGS[name]
        if flag.value(raw) is None or not text.startswith(f"{flag.setting}: "):
            continue
        ctx = click.get_current_context(silent=True)
        opts = [p.opts for p in (ctx.command.params if ctx else []) if p.name == name]
        option = max(opts[0], key=len) if opts else "--" + name.replace("_", "-")
        rest = text.removeprefix(f"{flag.setting}: ")
        return InputError(f"{option} ({flag.setting}): {rest}")
    return exc
