"""The table of model kinds: every entry complete, and every place that used to special-case a
key reads it."""

from __future__ import annotations

import dataclasses
from importlib import metadata

import pytest

from credit_mlops.config.train import TrainSettings
from credit_mlops.modeling import catalog
from credit_mlops.modeling.catalog import ARTIFACTS, KINDS, ModelKind, pip_packages, resolve
from credit_mlops.modeling.estimators import hyperparameters

REQUIRED = ("display_name", "inputs", "fold_seconds", "explainer")


@pytest.mark.parametrize("key", list(KINDS))
def test_every_kind_is_complete(key: str) -> None:
    kind = KINDS[key]
    assert kind.key == key
    for name in REQUIRED:
        assert getattr(kind, name) not in (None, "", 0), f"{key}: {name} is missing"
    assert kind.inputs in ("prepared", "raw", "members")
    assert kind.fold_seconds > 0 and kind.fold_rank >= 0
    assert set(kind.artifacts) <= set(ARTIFACTS)
    # a kind with an estimator of its own can be tuned; a vote's members are tuned one by one
    assert (kind.factory is None) == (kind.inputs == "members")
    assert bool(kind.space) == (kind.factory is not None), f"{key}: no search space"


@pytest.mark.parametrize("key", [k for k, kind in KINDS.items() if kind.factory])
def test_factories_build_seeded_estimators_whose_space_names_exist(key: str) -> None:
    kind = KINDS[key]
    assert kind.factory is not None
    estimator = resolve(kind.factory)(7)
    known = set(estimator.get_params(deep=True))
    assert set(kind.space) <= known, set(kind.space) - known
    again = hyperparameters(resolve(kind.factory)(7))
    assert again == hyperparameters(estimator)  # same seed, same estimator


@pytest.mark.parametrize("key", list(KINDS))
def test_explainers_and_packages_exist(key: str) -> None:
    from credit_mlops.explain.attribution import EXPLAINERS

    kind = KINDS[key]
    assert callable(resolve(kind.explainer))
    assert EXPLAINERS[key] == kind.explainer  # the explain area serves the table's explainer
    for name in kind.pip_packages:
        assert metadata.version(name)  # installed, so its version can be pinned


def test_row_limits_and_variants_name_real_settings() -> None:
    fields = {f for f in TrainSettings.model_fields}
    for kind in KINDS.values():
        assert kind.row_limit is None or kind.row_limit in fields
        if kind.approx_factory is not None:
            assert callable(resolve(kind.approx_factory))


def test_a_vote_needs_its_members_packages() -> None:
    assert pip_packages("ensemble", ("logistic_regression", "xgboost")) == ("xgboost",)
    assert pip_packages("ensemble", ("scorecard", "svm")) == ("optbinning",)
    assert pip_packages("xgboost", ("scorecard",)) == ("xgboost",)  # members: votes only


def test_derived_names_follow_the_table() -> None:
    assert tuple(KINDS) == catalog.ALL_KEYS
    assert catalog.SEED_KEYS == (
        "logistic_regression",
        "decision_tree",
        "random_forest",
        "svm",
        "xgboost",
    )
    assert {"scorecard"} == catalog.RAW_KEYS
    assert catalog.slowest_first(["decision_tree", "xgboost", "svm", "ensemble"]) == [
        "svm",
        "ensemble",
        "xgboost",
        "decision_tree",
    ]


def test_an_incomplete_entry_is_caught() -> None:
    broken = dataclasses.replace(KINDS["xgboost"], key="broken", fold_seconds=0.0, space={})
    assert isinstance(broken, ModelKind)
    with pytest.raises(AssertionError):
        KINDS["broken"] = broken
        try:
            test_every_kind_is_complete("broken")
        finally:
            del KINDS["broken"]
