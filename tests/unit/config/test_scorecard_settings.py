"""The `scorecard` settings section and the estimator agree on names, defaults and trends."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from credit_mlops.config.scorecard import TRENDS, ScorecardSettings
from credit_mlops.errors import ConfigError
from credit_mlops.modeling import scorecard as estimator


def test_defaults_are_the_estimators_defaults() -> None:
    params = ScorecardSettings().params()
    defaults = estimator.ScorecardClassifier().get_params()
    assert set(params) == set(defaults) - {"categorical", "random_state"}
    for name, value in params.items():
        assert value == defaults[name], name
    assert (params["pdo"], params["base_score"], params["base_odds"]) == (20.0, 600.0, 50.0)


def test_trends_listed_once_for_both() -> None:
    assert TRENDS == estimator.TRENDS


def test_settings_build_the_estimator() -> None:
    settings = ScorecardSettings(trends={"alter": "valley"}, pdo=40, c_grid=[0.1, 1.0])
    card = estimator.ScorecardClassifier().set_params(**settings.params())
    assert card.trends == {"alter": "valley"} and card.pdo == 40.0 and card.c_grid == (0.1, 1.0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"monotonic_trend": "sideways"}, "unknown trend 'sideways'"),
        ({"trends": {"alter": "zigzag"}}, "unknown trend 'zigzag' for alter"),
        ({"min_bin_share": 0.7}, "less than or equal to 0.5"),
        ({"pdo": 0}, "greater than 0"),
        ({"base_odds": -1}, "greater than or equal to 0.000001"),
        ({"base_odds": 1e9}, "less than or equal to 1000000"),
        ({"pdo": 1e308}, "less than or equal to 1000"),
        ({"base_score": 1e308}, "less than or equal to 10000"),
        ({"base_score": -1}, "greater than or equal to 0"),
        ({"c_grid": [0.1, -1.0]}, "must be positive"),
        ({"c_grid": []}, "at least 1"),
        ({"inner_folds": 1}, "greater than or equal to 2"),
        ({"bins": 5}, "Extra inputs are not permitted"),
    ],
)
def test_bad_values_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ScorecardSettings(**values)  # type: ignore[arg-type]


def test_trend_of_an_unknown_column_is_a_config_error() -> None:
    settings = ScorecardSettings(trends={"altr": "valley"})
    with pytest.raises(ConfigError, match=r"scorecard\.trends names 'altr'"):
        settings.check_characteristics(["alter", "hoehe"])
    ScorecardSettings(trends={"alter": "valley"}).check_characteristics(["alter", "hoehe"])
