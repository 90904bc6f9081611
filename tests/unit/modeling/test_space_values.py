"""A profile's search-space overrides meet the model before any study is opened: the kind
of the catalogue's parameter, a bound on its size, and values the estimator takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.config.loader import load_settings
from credit_mlops.errors import ConfigError
from credit_mlops.tune.space import space_for


def _space(project: Path, key: str, line: str) -> object:
    (project / "configs" / "t.toml").write_text(f"[tune.space.{key}]\n{line}\n")
    return space_for(load_settings("t"), key)


@pytest.mark.parametrize(
    ("key", "line", "said"),
    [
        ("xgboost", "n_estimators = { low = 100.5, high = 200 }", "takes whole numbers"),
        ("xgboost", "n_estimators = { choices = [100, 2.5] }", "2.5 is not one"),
        ("xgboost", "learning_rate = { choices = ['fast'] }", "takes numbers"),
        ("decision_tree", "criterion = { low = 1, high = 2 }", "takes names (such as gini"),
        ("xgboost", "max_depth = { low = 2, high = 1000000000 }", "use at most 80"),
        ("random_forest", "n_estimators = { low = 100, high = 100000000 }", "at most 5000"),
        ("xgboost", "booster = { choices = ['gbtree', 'nonsense'] }", "Unknown gbm type"),
        ("xgboost", "subsample = { low = 0.5, high = 3.0 }", "does not take 3.0"),
        ("decision_tree", "criterion = { choices = ['gini', 'nonsense'] }", "among"),
        ("logistic_regression", "C = { low = -1.0, high = 1.0 }", "does not take -1.0"),
    ],
)
def test_an_override_the_model_cannot_take_is_refused_by_name(
    project: Path, key: str, line: str, said: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^tune\.space\.{key}\.\w+: ") as caught:
        _space(project, key, line)
    assert said in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("xgboost", "n_estimators = { choices = [100, 200] }"),
        ("xgboost", "booster = { choices = ['gbtree', 'dart'] }"),
        ("xgboost", "learning_rate = { low = 0.05, high = 0.2 }"),
        ("decision_tree", "max_depth = { low = 3, high = 30 }"),
        ("random_forest", "max_features = { low = 0.2, high = 0.9 }"),
    ],
)
def test_an_override_the_model_takes_passes(project: Path, key: str, line: str) -> None:
    assert _space(project, key, line)


def test_tune_refuses_it_in_one_line_before_any_study(project: Path) -> None:
    (project / "configs" / "local.toml").write_text(
        "[tune.space.xgboost]\nbooster = { choices = ['nonsense'] }\n"
    )
    result = CliRunner().invoke(app, ["tune", "-m", "xgboost", "--mlflow-disable", "-q"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: tune.space.xgboost.booster: the model does not take")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (project / ".credit" / "optuna.journal").exists()
