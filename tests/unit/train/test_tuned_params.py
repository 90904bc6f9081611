"""Tuned parameters read back from the tag `credit.params_json` (`credit train --params-from`)
are the ones a search of the model's space can give: names it knows, values of the type and
inside the range or among the choices; anything else is one line, exit 2, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.test_hardening import one_error_line
from tests.conftest import tracking_uri
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.config.loader import load_settings
from credit_mlops.errors import InputError
from credit_mlops.modeling.catalog import KINDS
from credit_mlops.train.tuned import check_tuned, space_of

TREE = KINDS["decision_tree"].space
GOOD = {"criterion": "gini", "max_depth": 5, "min_samples_leaf": 20}


def test_parameters_a_search_gives_pass() -> None:
    check_tuned("r1", GOOD, TREE, "decision_tree")
    forest = {"n_estimators": 150, "max_depth": 3, "min_samples_leaf": 20, "max_features": 1}
    check_tuned("r1", forest, KINDS["random_forest"].space, "random_forest")  # 1 is a number
    boost = {"n_estimators": 300, "max_depth": 2, "learning_rate": 0.1, "subsample": 0.8}
    boost |= {"colsample_bytree": 0.8, "min_child_weight": 1, "reg_lambda": 1}  # ints: numbers
    check_tuned("r1", boost, KINDS["xgboost"].space, "xgboost")


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("max_depth", -3, "sets max_depth to -3, outside 2..12"),
        ("max_depth", 1_000_000_000, "outside 2..12"),
        ("max_depth", 3.7, "sets max_depth to 3.7, not an integer in 2..12"),
        ("max_depth", 4.0, "not an integer"),
        ("max_depth", True, "sets max_depth to True, not an integer"),
        ("max_depth", float("nan"), "not an integer"),
        ("max_depth", "5", "sets max_depth to '5', not an integer"),
        ("max_depth", None, "not an integer"),
        ("criterion", "<b>x", "sets criterion to '<b>x', not one of gini | entropy"),
        ("criterion", True, "not one of gini | entropy"),
        (
            "random_state",
            "x",
            "names the parameter 'random_state', not one tune searches (the search space of",
        ),
    ],
)
def test_a_value_a_search_cannot_give_is_one_line(name: str, value: object, why: str) -> None:
    with pytest.raises(InputError) as info:
        check_tuned("r1", {**GOOD, name: value}, TREE, "decision_tree")
    message = str(info.value)
    assert message.startswith("tag credit.params_json of run r1 is not one `credit tune` wrote")
    assert why in message and "\n" not in message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "0.1", 0.5])
def test_floats_are_finite_numbers_in_range(value: object) -> None:
    with pytest.raises(InputError, match="learning_rate"):
        check_tuned("r1", {"learning_rate": value}, KINDS["xgboost"].space, "xgboost")


def test_the_profile_overrides_of_the_space_count(project: Path) -> None:
    settings = load_settings(
        None, {"tune": {"space": {"decision_tree": {"max_depth": {"low": 2, "high": 40}}}}}
    )
    check_tuned(
        "r1", {**GOOD, "max_depth": 30}, space_of(settings, "decision_tree"), "decision_tree"
    )
    with pytest.raises(InputError, match=r"outside 2\.\.12"):
        check_tuned(
            "r1",
            {**GOOD, "max_depth": 30},
            space_of(load_settings(None, {}), "decision_tree"),
            "decision_tree",
        )


@pytest.mark.parametrize(
    "params",
    [
        '{"criterion": "gini", "max_depth": -3, "min_samples_leaf": 20}',
        '{"criterion": "gini", "max_depth": NaN, "min_samples_leaf": 20}',
        '{"criterion": "gini", "max_depth": true, "min_samples_leaf": 20}',
        '{"criterion": "gini", "max_depth": 5, "min_samples_leaf": 20, "random_state": "x"}',
    ],
)
def test_train_params_from_a_forged_tag_is_one_line_and_trains_nothing(
    store: Path, synthetic_file: Path, params: str
) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri(store))
    exp = client.create_experiment("credit-risk")
    tags = {
        "credit.kind": "tune",
        "credit.params_json": params,
        "credit.model_key": "decision_tree",
    }
    run_id = client.create_run(exp, run_name="tune", tags=tags).info.run_id
    client.set_terminated(run_id)
    argv = ["train", "--data", str(synthetic_file), "-m", "decision_tree", "--params-from", run_id]
    result = CliRunner().invoke(app, argv)
    one_error_line(
        result,
        f"tag credit.params_json of run {run_id}",
        "max_depth" if "random" not in params else "random_state",
    )
    assert len(client.search_runs([exp])) == 1  # only the tune run: nothing trained


@pytest.mark.parametrize("params", [{}, {"criterion": "gini"}])
def test_a_tag_that_sets_too_little_is_one_line(params: dict[str, object]) -> None:
    """A search sets every parameter of its space: an empty or partial tag would train on
    defaults without a word."""
    from credit_mlops.errors import InputError
    from credit_mlops.modeling.catalog import KINDS
    from credit_mlops.train.tuned import check_tuned

    space = KINDS["decision_tree"].space
    with pytest.raises(InputError, match="lacks"):
        check_tuned("r1", params, space, "decision_tree")
