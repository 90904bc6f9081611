"""`credit tune` through Typer's CliRunner on a real local MLflow store and journal file, and
Ctrl-C on the real script."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import optuna
import pytest
from mlflow import MlflowClient
from optuna.trial import TrialState
from tests.conftest import CREDIT, tracking_uri
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
TUNE = ["tune", "-m", "logistic_regression", "--folds", "2"]


def env_for(data: Path) -> dict[str, str]:
    return {"CREDIT_DATA__PATH": str(data), "CREDIT_TRAIN__SMOTE": "false", "COLUMNS": "120"}


def runs(store: Path, filter_string: str = "") -> list[Any]:
    client = MlflowClient(tracking_uri(store))
    exp = client.get_experiment_by_name("credit-risk")
    return client.search_runs([exp.experiment_id], filter_string) if exp else []


def journal_study(project: Path, name: str) -> Any:
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(project / ".credit" / "optuna.journal"))
    )
    return optuna.load_study(study_name=name, storage=storage)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_help_lists_the_flags() -> None:
    result = runner.invoke(app, ["tune", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for flag in ("--model", "--objective", "--trials", "--timeout", "--study", "--train"):
        assert flag in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trials", "0"], "tune.trials"),
        (["--objective", "accuracy"], "unknown objective 'accuracy' (choose from: roc_auc, cost)"),
        (["-m", "nope"], "--model: unknown model 'nope'"),
        (["-m", "logistic_regression,xgboost"], "tune takes one model key"),
        (["-m", "ensemble"], "tune the ensemble's members one by one"),
        (["--timeout", "-1"], "tune.timeout"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    project: Path, synthetic_file: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, [*TUNE, *args], env=env_for(synthetic_file))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.count("error:") == 1 and "Traceback" not in result.output
    assert not (project / ".credit").exists()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("C_typo = { low = 0.1, high = 1.0 }", "unknown parameter 'C_typo'"),
        ("C = { low = 10.0, high = 1.0 }", "empty range (low 10.0 > high 1.0)"),
        ("C = { choices = [] }", "empty choices"),
    ],
)
def test_a_bad_search_space_in_the_profile_is_exit_2(
    project: Path, synthetic_file: Path, table: str, message: str
) -> None:
    with (project / "configs" / "local.toml").open("a") as fh:
        fh.write(f"\n[tune.space.logistic_regression]\n{table}\n")
    result = runner.invoke(app, TUNE, env=env_for(synthetic_file))
    assert result.exit_code == 2, result.output
    assert message in result.output and "tune.space.logistic_regression" in result.output
    assert not (project / ".credit").exists()


def test_a_typo_in_another_models_space_is_said_before_this_one_is_tuned(
    project: Path, synthetic_file: Path
) -> None:
    with (project / "configs" / "local.toml").open("a") as fh:
        fh.write("\n[tune.space.decision_tree]\nmax_dept = { low = 2, high = 8 }\n")
    result = runner.invoke(app, TUNE, env=env_for(synthetic_file))  # tunes another model
    assert result.exit_code == 2, result.output
    assert "tune.space.decision_tree" in result.output and "'max_dept'" in result.output
    assert not (project / ".credit").exists()


def test_unreachable_storage_is_exit_3_before_the_store_is_touched(
    project: Path, synthetic_file: Path
) -> None:
    url = f"postgresql+psycopg://postgres:pw-123@127.0.0.1:{closed_port()}/credit_optuna"
    result = runner.invoke(app, [*TUNE, "--storage", url], env=env_for(synthetic_file))
    assert result.exit_code == 3, result.output
    assert "tune storage at postgresql+psycopg://127.0.0.1" in result.output
    assert "pw-123" not in result.output
    assert not (project / ".credit").exists()


def test_tune_logs_a_parent_run_and_one_child_per_trial(
    project: Path, store: Path, synthetic_file: Path
) -> None:
    result = runner.invoke(app, [*TUNE, "--trials", "3", "--json"], env=env_for(synthetic_file))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    parent_id = report["parent_run_id"]
    assert report["worker"]["study_finished"] == 3
    parent = MlflowClient(tracking_uri(store)).get_run(parent_id)
    assert parent.info.status == "FINISHED"
    assert parent.data.tags["credit.kind"] == "tune"
    # the process that logged it, by the tag every run carries (see tracking.orphans)
    assert parent.data.tags["credit.process"].endswith(f"-{os.getpid()}")
    assert parent.data.params["objective"] == "roc_auc" and parent.data.params["n_trials"] == "3"
    best = json.loads(parent.data.tags["credit.params_json"])
    assert best == report["worker"]["best_params"] and set(best) == {"C"}
    assert parent.data.metrics["best_roc_auc_tune_mean"] == report["worker"]["best_value"]
    artifacts = {
        a.path for a in MlflowClient(tracking_uri(store)).list_artifacts(parent_id, "tune")
    }
    assert artifacts == {"tune/optimization_history.png", "tune/param_importances.png"}
    children = runs(store, f"tags.mlflow.parentRunId = '{parent_id}'")
    assert sorted(int(c.data.tags["optuna.trial_number"]) for c in children) == [0, 1, 2]
    study = journal_study(project, "logistic_regression-roc_auc")
    for child in children:
        trial = study.trials[int(child.data.tags["optuna.trial_number"])]
        assert float(child.data.params["model__C"]) == trial.params["C"]
        assert child.data.metrics["roc_auc_tune_mean"] == trial.value
        assert child.data.tags["optuna.state"] == "COMPLETE" and child.info.status == "FINISHED"

    seats = project / ".credit" / "optuna.journal.workers"  # this worker's seat, given back
    assert seats.is_dir() and list(seats.iterdir()) == []

    again = runner.invoke(app, [*TUNE, "--trials", "3"], env=env_for(synthetic_file))
    assert again.exit_code == 0 and "3 of 3 trials finished" in again.output
    assert len(runs(store, "tags.`credit.kind` = 'tune_trial'")) == 3  # nothing ran twice


def test_train_and_params_from_train_the_best_parameters(
    project: Path, store: Path, synthetic_file: Path
) -> None:
    env = env_for(synthetic_file)
    tuned = runner.invoke(app, [*TUNE, "--trials", "2", "--train", "--json"], env=env)
    assert tuned.exit_code == 0, tuned.output
    report = json.loads(tuned.stdout)
    parent_id = report["parent_run_id"]
    trained_id = report["trained"]["results"][0]["run_id"]
    trained = MlflowClient(tracking_uri(store)).get_run(trained_id)
    assert trained.data.tags["tuned_from"] == f"logistic_regression-roc_auc/{parent_id}"
    assert float(trained.data.params["model__C"]) == report["worker"]["best_params"]["C"]
    assert report["trained"]["results"][0]["registered_version"] == "1"

    other = runner.invoke(app, ["train", "-m", "svm", "--params-from", parent_id], env=env)
    assert other.exit_code == 2
    assert "tuned model 'logistic_regression'" in other.output
    assert "give --model logistic_regression" in other.output
    not_tune = runner.invoke(
        app, ["train", "-m", "logistic_regression", "--params-from", trained_id], env=env
    )
    assert not_tune.exit_code == 2 and "is not a `credit tune` run" in not_tune.output
    later = runner.invoke(
        app,
        [
            "train",
            "-m",
            "logistic_regression",
            "--params-from",
            parent_id,
            "--no-evaluate",
            "--json",
        ],
        env=env,
    )
    assert later.exit_code == 0, later.output
    again_id = json.loads(later.stdout)["results"][0]["run_id"]
    again = MlflowClient(tracking_uri(store)).get_run(again_id)
    assert again.data.tags["tuned_from"] == f"logistic_regression-roc_auc/{parent_id}"
    assert again.data.params["model__C"] == trained.data.params["model__C"]
    listed = runner.invoke(app, ["compare", "--all-runs", "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert trained_id in listed.stdout and again_id in listed.stdout
    assert parent_id not in listed.stdout  # tune runs are searches, not models to compare


def test_ctrl_c_stops_after_the_running_trial_and_keeps_everything(
    project: Path, store: Path, synthetic_file: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    env.update(env_for(synthetic_file))
    args = [str(CREDIT), *TUNE, "--trials", "200", "--folds", "4", "-q"]
    proc = subprocess.Popen(args, cwd=project, env=env, stderr=subprocess.PIPE, text=True)
    journal = project / ".credit" / "optuna.journal"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.stat().st_size:
            study = journal_study(project, "logistic_regression-roc_auc")
            if study.get_trials(states=(TrialState.COMPLETE,)) and study.get_trials(
                states=(TrialState.RUNNING,)
            ):
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr
    assert "stopping after the running trial" in stderr
    study = journal_study(project, "logistic_regression-roc_auc")
    states = [t.state for t in study.trials]
    assert TrialState.RUNNING not in states and TrialState.FAIL not in states
    finished = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert 2 <= len(finished) < 200  # the trial running at Ctrl-C was completed, then it stopped
    parent = runs(store, "tags.`credit.kind` = 'tune'")[0]
    assert parent.info.status == "KILLED"
    children = runs(store, f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
    assert len(children) == len(finished)


@pytest.mark.parametrize(
    ("env", "matrix"),
    [
        ({}, (5.0, 1.0)),
        ({"CREDIT_COST__ACCEPT_BAD": "3", "CREDIT_COST__REJECT_GOOD": "2"}, (3.0, 2.0)),
    ],
)
def test_the_cost_objective_uses_the_cost_matrix_of_the_settings(
    project: Path, synthetic_file: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
    matrix: tuple[float, float],
) -> None:  # fmt: skip
    from credit_mlops.modeling.cost_matrix import CostMatrix
    from credit_mlops.tune import search

    seen: list[object] = []
    real = search.trial_objective

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["costs"])
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "trial_objective", spy)
    args = [*TUNE, "--objective", "cost", "--trials", "1", "--mlflow-disable", "-q"]
    result = runner.invoke(app, args, env={**env_for(synthetic_file), **env})
    assert result.exit_code == 0, result.output
    assert seen == [CostMatrix(*matrix)]


def test_the_approximate_svm_setting_is_not_tuned_as_the_exact_one(
    project: Path, synthetic_file: Path
) -> None:
    """A study of the exact RBF SVM would be given to a model with other parameters."""
    env = {**env_for(synthetic_file), "CREDIT_TRAIN__SVM_APPROX": "true"}
    result = runner.invoke(app, ["tune", "-m", "svm", "--trials", "1"], env=env)
    assert result.exit_code == 2, result.output
    assert "train.svm_approx" in result.output and "exact model" in result.output
    assert result.output.count("error:") == 1 and "Traceback" not in result.output
    assert not (project / ".credit").exists()
    # the setting does not touch a model without an approximation
    tuned = runner.invoke(app, [*TUNE, "--trials", "1"], env=env)
    assert tuned.exit_code == 0, tuned.output


@pytest.mark.parametrize("damage", ["random", "truncated"])
def test_a_damaged_sqlite_storage_is_one_line_exit_2(
    project: Path, store: Path, synthetic_file: Path, tmp_path: Path, damage: str
) -> None:
    db = tmp_path / "studies.db"
    if damage == "random":
        db.write_bytes(bytes(range(256)) * 16)
    else:  # a real SQLite file (the migrated MLflow store) cut short
        db.write_bytes((store / "mlflow.db").read_bytes()[:20000])
    before = db.read_bytes()
    result = runner.invoke(
        app,
        [*TUNE, "--storage", f"sqlite:///{db}", "--mlflow-disable"],
        env=env_for(synthetic_file),
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not a SQLite database, or a damaged one" in lines[0]
    assert db.read_bytes() == before
