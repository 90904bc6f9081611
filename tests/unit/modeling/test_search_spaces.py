"""Search spaces declared in the catalog, and their overrides from a profile."""

from __future__ import annotations

import pytest

from credit_mlops.errors import ConfigError
from credit_mlops.modeling.catalog import SPACES
from credit_mlops.modeling.search_spaces import (
    Choice,
    FloatRange,
    IntRange,
    describe,
    parse_param,
    resolve_space,
)

XGB_PARAMS = {"max_depth", "learning_rate", "n_estimators", "booster", "subsample"}


def _known(key: str) -> set[str]:
    from credit_mlops.modeling import estimators as models

    return set(models.estimator(key, 0).get_params(deep=True))


@pytest.mark.parametrize("key", sorted(SPACES))
def test_every_declared_parameter_is_one_of_the_estimators(key: str) -> None:
    known = _known(key)
    assert set(SPACES[key]) <= known, set(SPACES[key]) - known
    assert resolve_space(key, SPACES[key], None, known) == SPACES[key]


def test_two_integers_make_an_integer_range_anything_else_a_float_range() -> None:
    assert parse_param("p", {"low": 2, "high": 8}) == IntRange(2, 8)
    assert parse_param("p", {"low": 10, "high": 100, "step": 10}) == IntRange(10, 100, step=10)
    assert parse_param("p", {"low": 0.01, "high": 1, "log": True}) == FloatRange(0.01, 1.0, True)
    assert parse_param("p", {"choices": ["gbtree", "dart"]}) == Choice(("gbtree", "dart"))


def test_an_override_replaces_one_parameter_and_keeps_the_others() -> None:
    space = resolve_space(
        "xgboost", SPACES["xgboost"], {"max_depth": {"low": 2, "high": 3}}, _known("xgboost")
    )
    assert space["max_depth"] == IntRange(2, 3)
    assert space["learning_rate"] == SPACES["xgboost"]["learning_rate"]
    added = resolve_space(
        "xgboost", SPACES["xgboost"], {"booster": {"choices": ["gbtree"]}}, _known("xgboost")
    )
    assert added["booster"] == Choice(("gbtree",))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_dept": {"low": 2, "high": 3}}, "unknown parameter 'max_dept' for model 'xgboost'"),
        ({"max_depth": {"low": 8, "high": 2}}, "empty range (low 8 > high 2)"),
        ({"learning_rate": {"low": 0.3, "high": 0.01}}, "empty range"),
        ({"booster": {"choices": []}}, "empty choices"),
        ({"learning_rate": {"low": 0, "high": 1, "log": True}}, "a log range needs low > 0"),
        ({"max_depth": {"lo": 2, "hi": 3}}, "expected low and high"),
        ({"max_depth": 3}, "expected a table"),
        ({"max_depth": {"low": "2", "high": 3}}, "must be numbers"),
        ({"subsample": {"low": 0.5, "high": 1.0, "step": 2}}, "step is for integer ranges"),
    ],
)
def test_bad_overrides_are_input_errors_naming_the_setting(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_space(
            "xgboost",
            SPACES["xgboost"],
            overrides,
            XGB_PARAMS | {"colsample_bytree"} | _known("xgboost"),
        )
    assert message in str(caught.value)
    assert "tune.space.xgboost." in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_model_without_a_space_asks_for_one_in_the_profile() -> None:
    with pytest.raises(ConfigError, match=r"declare one in the profile as \[tune.space.ensemble\]"):
        resolve_space("ensemble", {}, None, {"weights"})


def test_describe() -> None:
    assert describe(FloatRange(0.01, 0.3, log=True)) == "0.01..0.3 (log)"
    assert describe(IntRange(100, 600, step=50)) == "100..600 step 50"
    assert describe(Choice(("gini", "entropy"))) == "gini | entropy"
