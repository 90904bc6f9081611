"""`credit tune` refuses what no tune run could have written: a trial value that is not a
finite number or that its objective never gives (a journal or a database alike), a blank
`tune.storage`, and a storage file that is no study journal at all (a data file, the MLflow
store through a symlink) - each one `error:` line, exit 2, nothing written or trained."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import optuna
import pytest
from optuna.distributions import FloatDistribution
from tests.cli.test_tune_best_checked import digest, one_line_exit_2
from tests.cli.test_tune_cli import TUNE, env_for, runs
from tests.conftest import credit
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
STUDY = "logistic_regression-roc_auc"


def forge(journal: Path, value: str) -> int:
    """Append the hostile pass's three records (a trial, its C, its value written as the
    JSON text `value`); the line number of the value's record."""
    logs = [json.loads(line) for line in journal.read_bytes().splitlines()]
    trial = sum(1 for r in logs if r["op_code"] == 4)
    param = next(r for r in logs if r["op_code"] == 5)
    lines = [
        json.dumps({"op_code": 4, "worker_id": "w1", "study_id": 0,
                    "datetime_start": "2026-12-07T21:51:34.216042+00:00"}),
        json.dumps({**param, "worker_id": "w1", "trial_id": trial, "param_value_internal": 0.5}),
        json.dumps({"op_code": 6, "worker_id": "w1", "trial_id": trial, "state": 1,
                    "values": ["VALUE"],
                    "datetime_complete": "2026-12-07T21:51:35.276269+00:00"}).replace(
            '["VALUE"]', f"[{value}]"
        ),
    ]  # fmt: skip
    with journal.open("ab") as fh:
        fh.write("".join(line + "\n" for line in lines).encode())
    return len(logs) + 3


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("Infinity", "values [Infinity] are neither null nor a list of 1 number(s), each finite"),
        ("1e999", "values [Infinity] are neither null"),
        ("-Infinity", "values [-Infinity] are neither null"),
        ("5.0", "the value 5.0 is outside what roc_auc gives ([0, 1])"),
    ],
)
def test_a_forged_trial_value_in_a_journal_is_refused_at_its_line(
    project: Path, store: Path, synthetic_file: Path, value: str, what: str
) -> None:
    env = env_for(synthetic_file)
    first = runner.invoke(app, [*TUNE, "--trials", "2", "--mlflow-disable", "-q"], env=env)
    assert first.exit_code == 0, first.output
    journal = project / ".credit" / "optuna.journal"
    line = forge(journal, value)
    before = digest(journal)
    result = runner.invoke(app, [*TUNE, "--trials", "3", "--train"], env=env)
    message = one_line_exit_2(result)
    assert f"{journal} holds a record" in message and f"at line {line} (" in message
    assert what in message, message
    assert f"head -n {line - 1}" in message
    assert digest(journal) == before  # nothing appended
    assert runs(store) == []  # no tune run, no training run, no model


def test_the_forged_infinity_is_refused_by_the_real_script(
    project: Path, synthetic_file: Path
) -> None:
    env = env_for(synthetic_file)
    args = [*TUNE, "--mlflow-disable", "-q", "--storage", "j.log"]
    assert credit([*args, "--trials", "2"], project, env).returncode == 0
    line = forge(project / "j.log", "Infinity")
    done = credit([*args, "--trials", "3", "--train"], project, env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert f"at line {line} (" in done.stderr and "Infinity" in done.stderr
    assert "Best:" not in done.stdout and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("objective", "value", "what"),
    [
        ("roc_auc", math.inf, "has a value no trial scores: the value inf is not a finite number"),
        ("roc_auc", 5.0, "the value 5.0 is outside what roc_auc gives ([0, 1])"),
        ("cost", -1.0, "the value -1.0 is outside what cost gives (0 or more)"),
    ],
)
def test_a_forged_best_value_in_a_database_is_refused_and_never_trained(
    project: Path, store: Path, synthetic_file: Path, objective: str, value: float, what: str
) -> None:
    """A database storage has no lines to check: the best trial is checked when it is read,
    before anything runs (and again before it is logged or trained)."""
    url = f"sqlite:///{project / 'studies.db'}"
    env = {**env_for(synthetic_file), "CREDIT_TUNE__STORAGE": url}
    base = [*TUNE, "--objective", objective]
    assert (
        runner.invoke(app, [*base, "--trials", "1", "--mlflow-disable", "-q"], env=env).exit_code
        == 0
    )
    study = optuna.load_study(study_name=f"logistic_regression-{objective}", storage=url)
    dist = FloatDistribution(0.001, 100.0, log=True)
    study.add_trial(
        optuna.trial.create_trial(params={"C": 0.5}, distributions={"C": dist}, value=value)
    )
    before = digest(project / "studies.db")
    message = one_line_exit_2(runner.invoke(app, [*base, "--trials", "3", "--train"], env=env))
    assert "its best trial 1 " in message and what in message, message
    assert digest(project / "studies.db") == before
    assert runs(store) == []


@pytest.mark.parametrize(
    ("where", "value"),
    [("env", ""), ("env", "   "), ("profile", ""), ("profile", "  "), ("flag", "")],
)
def test_a_blank_storage_is_refused_by_name_before_anything_runs(
    project: Path, synthetic_file: Path, where: str, value: str
) -> None:
    env = env_for(synthetic_file)
    args = [*TUNE, "--trials", "1", "--mlflow-disable", "-q"]
    if where == "env":
        env["CREDIT_TUNE__STORAGE"] = value
        named = "env CREDIT_TUNE__STORAGE: key 'tune.storage'"
    elif where == "profile":
        (project / "configs" / "blank.toml").write_text(f'[tune]\nstorage = "{value}"\n')
        args += ["--profile", "blank"]
        named = "blank.toml: key 'tune.storage'"
    else:
        args += ["--storage", value]
        named = "--storage (tune.storage)"
    started = time.monotonic()
    message = one_line_exit_2(runner.invoke(app, args, env=env))
    assert named in message and "is empty: give a path, or leave the setting out" in message
    assert time.monotonic() - started < 3  # at settings time, not after the data is read
    assert not (project / ".credit").exists()


def test_the_mlflow_store_through_a_symlink_is_no_study_journal(
    project: Path, store: Path, synthetic_file: Path
) -> None:
    """The hostile pass's `dblink -> .credit/mlflow.db`, by the real script."""
    mlflow_db = project / ".credit" / "mlflow.db"
    assert mlflow_db.is_file()
    os.symlink(mlflow_db, project / "dblink")
    before = digest(mlflow_db)
    env = env_for(synthetic_file)
    done = credit([*TUNE, "--trials", "1", "--mlflow-disable", "--storage", "dblink"], project, env)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: ") and "dblink is not a study journal" in line
    assert "it is a SQLite database: the MLflow tracking store" in line
    assert "head -n" not in line and "damaged" not in line
    assert digest(mlflow_db) == before
    assert not (project / "dblink.workers").exists()


def test_the_data_file_is_no_study_journal(project: Path, synthetic_file: Path) -> None:
    before = digest(synthetic_file)
    args = [*TUNE, "--trials", "1", "--mlflow-disable", "--storage", str(synthetic_file)]
    message = one_line_exit_2(runner.invoke(app, args, env=env_for(synthetic_file)))
    assert (
        f"{synthetic_file} is not a study journal (its first line is no journal record" in message
    )
    assert "head -n" not in message and "Name a journal file of its own" in message
    assert digest(synthetic_file) == before
