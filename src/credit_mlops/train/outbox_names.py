"""What an outbox entry names, checked as the tracking store would check it before any run
exists: param, metric and tag names and values, version tags, and the packages a synced
model will require (`outbox_check.check_record` calls these)."""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Mapping
from typing import Any

from credit_mlops import names
from credit_mlops.errors import InputError
from credit_mlops.modeling.metrics import outside_unit
from credit_mlops.tracking.tags import PROCESS_TAG

REMOVE = "the entry was changed by hand or by another tool: remove it"
# MLflow's limits for a run's data (mlflow.utils.validation; train/ may not import mlflow,
# so they are mirrored here and tests/unit/train/test_outbox_artifacts.py pins each one to
# MLflow's constant). MLflow cuts a longer param value short without a word
# (MLFLOW_TRUNCATE_LONG_VALUES), and refuses a longer name once the run exists.
KEY_MAX = 250  # MAX_ENTITY_KEY_LENGTH: a param, metric or tag name
PARAM_VALUE_MAX = 6000  # MAX_PARAM_VAL_LENGTH
TAG_VALUE_MAX = names.TAG_VALUE_MAX  # MAX_TAG_VAL_LENGTH, as for the user's own tags
VERSION_TAG_VALUE_MAX = 100_000  # MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH
DATASET_NAME_MAX = 500  # MAX_DATASET_NAME_SIZE
DATASET_SOURCE_MAX = 10_000  # a path or URL; MAX_DATASET_SOURCE_SIZE (65,535) holds its JSON
# What MLflow accepts as a param, metric or tag name (mlflow.utils.validation): 1-250 of
# these characters, and nothing that resolves to another name when read as a path.
_STORE_NAME = re.compile(rf"[/\w.\- :]{{1,{KEY_MAX}}}")
_STORE_NAME_RULE = (
    f"use 1-{KEY_MAX} letters, digits, '_', '-', '.', ' ', ':' or '/', with no '..', '.' or "
    "empty steps and no leading '/'"
)
# Tags of the reserved names (`names.RESERVED_TAGS`, prefixes `mlflow.` and `credit.`) that
# `credit train` itself writes into an entry (`train.spec.tags`); any other is forged.
OWN_TAGS = names.RESERVED_TAGS | {PROCESS_TAG}
# pip_packages: names of distributions (`catalog.pip_packages`), pinned when synced
_PACKAGE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
PACKAGE_MAX = 100
PACKAGES_MAX = 50


def shown_name(name: str) -> str:
    """`name` quoted for a one-line message, cut short if it is long."""
    return repr(name) if len(name) <= 80 else f"{name[:60]!r}..."


def _store_name(key: str, what: str) -> None:
    """A name MLflow takes for a param, metric or tag (mlflow.utils.validation), checked
    here so that the store never refuses it after the run exists."""
    norm = posixpath.normpath(key)
    path_like = norm != key or norm == "." or norm.startswith(("..", "/"))
    if not _STORE_NAME.fullmatch(key) or path_like:
        raise InputError(f"{what} name {shown_name(key)} is not valid; {_STORE_NAME_RULE}")


def check_tags(tags: Mapping[str, str]) -> None:
    """The run's tags: names MLflow takes, values within its limit (`names.tags`), and no
    name of MLflow's or credit's own but those credit train writes (`OWN_TAGS`)."""
    for key, value in tags.items():
        _store_name(key, "tag")
        if len(value) > TAG_VALUE_MAX:
            raise InputError(
                f"tag {shown_name(key)} is {len(value):,} characters long; MLflow's limit is "
                f"{TAG_VALUE_MAX} (it would keep only the start); {REMOVE}"
            )
        if key not in OWN_TAGS and key.lower().startswith(names.RESERVED_TAG_PREFIXES):
            raise InputError(
                f"tag {shown_name(key)} is one MLflow or credit sets itself, never in an entry "
                f"credit train writes; {REMOVE}"
            )
    names.tags(dict(tags), flag="tags", own=True)


def check_params(params: Mapping[str, str]) -> None:
    """Param names MLflow takes, and values it keeps whole (it cuts a longer one short)."""
    for key, value in params.items():
        _store_name(key, "param")
        if len(value) > PARAM_VALUE_MAX:
            raise InputError(
                f"param {shown_name(key)} is {len(value):,} characters long; MLflow's limit is "
                f"{PARAM_VALUE_MAX} (it would keep only the start); {REMOVE}"
            )


def check_metrics(metrics: Mapping[str, float]) -> None:
    """Metric names MLflow takes, and numbers it keeps as they are: NaN is one (a metric of
    folds that failed), infinity is not (MLflow would store the largest float instead)."""
    for key, value in metrics.items():
        _store_name(key, "metric")
        try:
            number = float(value)
        except OverflowError:
            raise InputError(
                f"metric {shown_name(key)} is too large for a float, not a number MLflow keeps; "
                f"{REMOVE}"
            ) from None
        if math.isinf(number):
            raise InputError(
                f"metric {shown_name(key)} is {number}, not a number MLflow keeps; {REMOVE}"
            )
        if outside_unit(key, number):
            raise InputError(
                f"metric {shown_name(key)} is {number:g}, which no score gives (0 to 1): the "
                f"entry was changed by hand; {REMOVE}"
            )


def check_model_key(params: Mapping[str, str], tags: Mapping[str, str]) -> None:
    """The model's kind, written three times by credit train: the same every time."""
    keys = {params.get("model_key"), tags.get("model_key")} - {None}
    if len(keys) > 1:
        raise InputError(
            f"the entry names two model kinds ({', '.join(sorted(map(str, keys)))}): it was "
            f"changed by hand; {REMOVE}"
        )


def check_version_tags(tags: Mapping[str, str]) -> None:
    """The registered version's tags, as the registry checks them; none of MLflow's or
    credit's own names (credit train writes model_version and model_key only)."""
    for key, value in tags.items():
        _store_name(key, "version tag")
        if key.lower().startswith(names.RESERVED_TAG_PREFIXES):
            raise InputError(
                f"version tag {shown_name(key)} is one MLflow or credit sets itself, never in an "
                f"entry credit train writes; {REMOVE}"
            )
        if len(value) > VERSION_TAG_VALUE_MAX:
            raise InputError(
                f"version tag {shown_name(key)} is {len(value):,} characters long; the limit is "
                f"{VERSION_TAG_VALUE_MAX:,}; {REMOVE}"
            )


def check_packages(packages: list[Any]) -> None:
    """What the logged model needs beyond the base set: names of packages, each pinned to
    the version installed when the entry is synced; never a URL, a version or a marker."""
    if len(packages) > PACKAGES_MAX:
        raise InputError(
            f"pip_packages lists {len(packages):,} packages; the limit is {PACKAGES_MAX}; {REMOVE}"
        )
    for i, name in enumerate(packages):
        if not isinstance(name, str):
            raise InputError(f"'pip_packages[{i}]' has the wrong type ({type(name).__name__})")
        if len(name) > PACKAGE_MAX:
            raise InputError(
                f"pip_packages holds a name of {len(name):,} characters; the limit is "
                f"{PACKAGE_MAX}; {REMOVE}"
            )
        if names.invisible(name):
            raise InputError(
                f"pip_packages holds a name with a control character or an invisible one; {REMOVE}"
            )
        if not _PACKAGE.fullmatch(name):
            raise InputError(f"pip_packages holds {name!r}, {_requirement_kind(name)}; {REMOVE}")


def _requirement_kind(text: str) -> str:
    """What `text` is, if not a package name: a direct reference, a requirement with more."""
    try:
        from packaging.requirements import InvalidRequirement, Requirement
    except ImportError:  # packaging comes with MLflow; without it, no finer reason
        return "which is not the name of a package"
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return "which is not the name of a package"
    if requirement.url:
        return "a direct reference to a URL, not the name of a package"
    return "a requirement with a version, extras or markers, not the name of a package"
