"""The flag table (`cli/flags.py`): every row names a real setting, every command hands it
the settings flags it declares, and a switch sets its value only when on."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from credit_mlops.cli import flags
from credit_mlops.cli.flags import FLAGS, overrides
from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError

COMMANDS = Path(flags.__file__).parent / "commands"
# Parameters named like a row of the table that are not settings: the file `credit monitor`
# measures, the key `credit compare` filters on, the one key `credit tune` searches, synth's
# and drift's own seed for the rows they write, the port of the tracking server.
NOT_SETTINGS = {
    ("monitor", "data"),
    ("compare", "model"),
    ("tune", "model"),
    ("data", "seed"),
    ("drift", "seed"),
    ("server", "port"),
    ("predict", "reasons"),  # --explain K: the reasons of this scoring, not serve.reasons
}


def test_every_row_names_a_setting_that_exists() -> None:
    defaults = Settings()
    for name, flag in FLAGS.items():
        node: object = defaults
        for part in flag.setting.split("."):
            assert hasattr(node, part), f"{name} -> {flag.setting}: no such setting"
            node = getattr(node, part)


def _commands() -> list[tuple[str, ast.FunctionDef]]:
    out = []
    for path in sorted(COMMANDS.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                out.append((path.stem, node))
    return out


def _handed(function: ast.FunctionDef) -> set[str] | None:
    """The keywords of the function's call to settings_from or overrides; None: no call."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
            "settings_from",
            "settings_and_overrides",
            "overrides",
        ):
            return {k.arg for k in node.keywords if k.arg is not None}
    return None


def test_every_command_hands_over_each_settings_flag_it_declares() -> None:
    checked = 0
    for module, function in _commands():
        handed = _handed(function)
        if handed is None:
            continue
        checked += 1
        params = {a.arg for a in function.args.args + function.args.kwonlyargs}
        assert handed <= params, f"{module}.{function.name} hands flags it does not declare"
        assert handed <= set(FLAGS), f"{module}.{function.name}: {handed - set(FLAGS)}"
        missing = {p for p in params & set(FLAGS) - handed if (module, p) not in NOT_SETTINGS}
        assert not missing, f"{module}.{function.name} drops settings flags {missing}"
    assert checked >= 9  # train, tune, serve, compare, monitor, report, drift, data, config


def test_the_exceptions_are_parameters_that_exist() -> None:
    declared = {
        (module, a.arg)
        for module, function in _commands()
        for a in function.args.args + function.args.kwonlyargs
    }
    assert declared >= NOT_SETTINGS


def test_switches_set_their_value_only_when_on_and_unset_flags_are_left_out() -> None:
    assert overrides(no_smote=False, no_evaluate=False, svm_approx=False, seed=None) == {}
    got = overrides(no_smote=True, svm_approx=True, mlflow_disable=True, cv_folds=3)
    assert got == {
        "train": {"smote": False, "svm_approx": True, "cv_folds": 3},
        "tracking": {"enabled": False},
    }
    assert overrides(class_weight=False) == {"train": {"class_weight": False}}  # tri-state
    assert overrides(mlflow_tags='{"team": 7}') == {"tracking": {"tags": {"team": "7"}}}
    assert overrides(model_version="1.2.0") == {"model_version": "1.2.0"}


@pytest.mark.parametrize(
    "text", ["[1]", "{", '{"a": {"b": 1}}', '{"a": null}', '{"a": true}', '{"a": "b", "a": "c"}']
)
def test_tags_that_are_not_a_flat_json_object_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="--mlflow-tags"):
        overrides(mlflow_tags=text)


def test_a_name_outside_the_table_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        overrides(not_a_flag=1)


def test_settings_from_layers_flags_over_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDIT_TRAIN__CV_FOLDS", "7")
    assert flags.settings_from(None).train.cv_folds == 7
    assert flags.settings_from(None, cv_folds=4).train.cv_folds == 4


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["train", "-m", "logistic_regression", "--cv-folds", "1"],
            "error: --cv-folds (train.cv_folds): 1 is out of range; use at least 2",
        ),
        (
            ["tune", "-m", "logistic_regression", "--trials", "100000000000"],
            "error: --trials (tune.trials): 100000000000 is out of range; use at most 100000",
        ),
        (
            ["train", "-m", "logistic_regression", "--n-jobs", "0"],
            "error: --n-jobs (train.n_jobs): 0 workers cannot fit anything; use -1",
        ),
        (
            ["train", "-m", "logistic_regression", "--n-jobs", "5000"],
            "error: --n-jobs (train.n_jobs): 5000 is out of range; use at most 1024",
        ),
        (["serve", "m/1", "--port", "0"], "error: --port (serve.port): 0 is out of range"),
    ],
)
def test_a_flags_value_the_settings_refuse_is_said_with_the_flag(
    project: Path, argv: list[str], line: str
) -> None:
    from typer.testing import CliRunner

    from credit_mlops.cli.main import app

    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith(line), result.stderr


def test_the_same_bound_from_the_environment_names_the_variable(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from credit_mlops.cli.main import app

    monkeypatch.setenv("CREDIT_TRAIN__CV_FOLDS", "1")
    result = CliRunner().invoke(app, ["train", "-m", "logistic_regression"])
    assert result.exit_code == 2
    assert (
        "env CREDIT_TRAIN__CV_FOLDS: key 'train.cv_folds': 1 is out of range; use at least 2"
        in (result.stderr)
    )
