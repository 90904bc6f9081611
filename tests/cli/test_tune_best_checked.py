"""`credit tune --train` checks the study's best parameters as `credit train --params-from`
does (one check, `train.tuned.tuned_problem`); a study's identity records numbers exactly
and every setting the trial's pipeline builder reads (class weights, the scorecard's)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution
from tests.cli.test_tune_cli import TUNE, env_for, journal_study, runs
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
FAST = [*TUNE, "--trials", "1", "--mlflow-disable", "-q"]
STUDY = "logistic_regression-roc_auc"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_exit_2(result: object) -> str:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    lines = [line for line in result.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    return lines[0]


@pytest.mark.parametrize(
    ("value", "distribution", "expected"),
    [
        (1e9, FloatDistribution(0.001, 1e9, log=True), "sets C to 1000000000.0, outside"),
        (
            "[link=https://evil.example]evil",
            CategoricalDistribution(["[link=https://evil.example]evil"]),
            "not a finite number in",
        ),
    ],
)
def test_a_best_trial_its_space_cannot_give_is_refused_and_never_trained(
    project: Path,
    store: Path,
    synthetic_file: Path,
    value: object,
    distribution: object,
    expected: str,
) -> None:
    env = env_for(synthetic_file)
    assert runner.invoke(app, FAST, env=env).exit_code == 0
    study = journal_study(project, STUDY)  # a hand-edited journal: the best trial is foreign
    study.add_trial(
        optuna.trial.create_trial(
            params={"C": value}, distributions={"C": distribution}, value=0.999999
        )
    )
    journal = project / ".credit" / "optuna.journal"
    before = digest(journal)
    result = runner.invoke(app, [*TUNE, "--trials", "3", "--train"], env=env)
    line = one_line_exit_2(result)
    assert expected in line and f"study '{STUDY}'" in line and "best trial 1" in line
    assert digest(journal) == before  # refused before any trial, run or model
    assert runs(store) == []
    plain = runner.invoke(app, [*TUNE, "--trials", "3", "--mlflow-disable"], env=env)
    assert expected in one_line_exit_2(plain)


def test_the_best_trial_is_checked_again_before_it_is_logged_and_trained(
    project: Path, store: Path, synthetic_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A foreign best trial written while the worker runs (another tool, mid-study): the
    parent run ends FAILED without it, nothing is trained, exit 2."""
    from credit_mlops.tune import workers

    real = workers.run_worker

    def then_edited(study: optuna.Study, *args: object, **kwargs: object) -> object:
        result = real(study, *args, **kwargs)  # type: ignore[arg-type]
        dist = FloatDistribution(0.001, 1e9, log=True)
        study.add_trial(
            optuna.trial.create_trial(params={"C": 1e9}, distributions={"C": dist}, value=0.999999)
        )
        return result

    monkeypatch.setattr(workers, "run_worker", then_edited)
    result = runner.invoke(app, [*TUNE, "--trials", "1", "--train"], env=env_for(synthetic_file))
    assert result.exit_code == 2 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "sets C to 1000000000.0, outside" in errors[0], result.stderr
    every = runs(store)
    (parent,) = [r for r in every if "mlflow.parentRunId" not in r.data.tags]
    assert parent.info.status == "FAILED"
    assert not any(k.startswith("best__") for k in parent.data.params)
    assert not any("tuned_from" in r.data.tags for r in every)  # nothing trained


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("CREDIT_TRAIN__TEST_SIZE", "0.3000001", "test_size 0.3000001"),
        ("CREDIT_COST__ACCEPT_BAD", "5.0000001", "accept_bad=5.0000001"),
        ("CREDIT_TRAIN__CLASS_WEIGHT", "true", "class_weight true"),
    ],
)
def test_a_worker_differing_in_a_digit_or_in_class_weights_is_refused(
    project: Path, synthetic_file: Path, variable: str, value: str, named: str
) -> None:
    env = env_for(synthetic_file)
    assert runner.invoke(app, FAST, env=env).exit_code == 0
    journal = project / ".credit" / "optuna.journal"
    before = digest(journal)
    line = one_line_exit_2(runner.invoke(app, FAST, env={**env, variable: value}))
    assert named in line and "was made for" in line
    assert digest(journal) == before
    again = runner.invoke(app, [*TUNE, "--trials", "2", "--mlflow-disable", "-q"], env=env)
    assert again.exit_code == 0, again.output  # the same settings still join


def test_numbers_are_recorded_exactly_and_short_when_short_is_exact() -> None:
    from credit_mlops.tune.study import exact

    assert exact(0.3) == "0.3" and exact(5.0) == "5" and exact(1) == "1"  # as :g wrote them
    assert exact(0.3000001) == "0.3000001" and exact(5.0000001) == "5.0000001"
    assert exact(1 / 3) == repr(1 / 3)


def test_the_identity_holds_class_weight_and_the_scorecard_settings(project: Path) -> None:
    from credit_mlops.config.loader import load_settings
    from credit_mlops.tune.study import study_identity

    settings = load_settings(None, {})
    ids = ("d", "e")
    plain = study_identity(settings, "logistic_regression", ids)
    card = study_identity(settings, "scorecard", ids)
    assert plain["class_weight"] == "false" and plain["scorecard"] == "unused"
    assert card["class_weight"] == "unused" and '"pdo": 20.0' in card["scorecard"]
    settings.train.smote = False
    settings.train.class_weight = True
    settings.scorecard.pdo = 20.000001
    assert study_identity(settings, "logistic_regression", ids)["class_weight"] == "true"
    assert '"pdo": 20.000001' in study_identity(settings, "scorecard", ids)["scorecard"]


def test_the_trial_pipeline_weighs_classes_as_credit_train_does(
    project: Path, xy: tuple[object, np.ndarray]
) -> None:
    """CREDIT_TRAIN__SMOTE=false CREDIT_TRAIN__CLASS_WEIGHT=true: the trials are weighted
    too, with the ratio of the rows each fit sees."""
    from credit_mlops.config.loader import load_settings
    from credit_mlops.tune.tune import _builder

    X, y = xy
    settings = load_settings(None, {})
    settings.train.smote = False
    settings.train.class_weight = True
    lr = _builder(settings, "logistic_regression")({"C": 1.0}).fit(X, y)
    assert lr.model_.named_steps["model"].class_weight == "balanced"
    xgb = _builder(settings, "xgboost")({}).fit(X, y)
    expected = np.count_nonzero(y == 0) / np.count_nonzero(y == 1)
    assert xgb.model_.named_steps["model"].scale_pos_weight == pytest.approx(expected)
    settings.train.class_weight = False
    plain = _builder(settings, "logistic_regression")({"C": 1.0})
    assert plain.named_steps["model"].class_weight is None
