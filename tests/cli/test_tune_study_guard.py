"""A study journal is checked whole and never appended to when damaged or read-only; a
study records what defines its question and refuses a worker that asks another."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from tests.cli.test_tune_cli import TUNE, env_for
from tests.conftest import credit
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.errors import ConfigError, InputError
from credit_mlops.tune.journal import check_journal, first_damage

runner = CliRunner()
FAST = [*TUNE, "--trials", "1", "--mlflow-disable", "-q"]
MORE = [*TUNE, "--trials", "2", "--mlflow-disable", "-q"]  # a second worker: one trial more


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record(op: int = 0) -> bytes:
    return json.dumps({"op_code": op, "worker_id": "w", "study_name": "s"}).encode() + b"\n"


@pytest.mark.parametrize(
    ("tail", "line", "what"),
    [
        (b"garbage{\n", 3, "not JSON"),
        (b'{"op_code": 4, "worker_id": "w"', 3, "no newline"),
        (bytes(range(128, 256)) + b"\n", 3, "not UTF-8"),
        (b"[1, 2, 3]\n", 3, "not an Optuna journal record"),
        (b'{"no_op": 1}\n', 3, "not an Optuna journal record"),
        (b"\n", 3, "not JSON"),  # an empty line
    ],
)
def test_first_damage_names_the_line(tmp_path: Path, tail: bytes, line: int, what: str) -> None:
    journal = tmp_path / "j.journal"
    journal.write_bytes(record(0) + record(2) + tail)
    found = first_damage(journal)
    assert found is not None and found[0] == line and what in found[1]
    before = digest(journal)
    with pytest.raises(ConfigError, match=f"line {line}"):
        check_journal(journal)
    assert digest(journal) == before


@pytest.mark.parametrize(
    "tail",
    [
        b'{"op_code": 99}\n',  # an operation Optuna does not know
        b'{"op_code": 5, "study_id": 7, "trial_id": 999}\n',  # fields missing
        b'{"op_code": 0, "worker_id": "w", "study_name": 5, "directions": "x"}\n',
    ],
)
def test_records_optuna_cannot_replay_are_refused_in_one_line(tmp_path: Path, tail: bytes) -> None:
    from credit_mlops.tune.storage import StorageSpec, open_storage

    journal = tmp_path / "j.journal"
    journal.write_bytes(record(0) + tail)
    before = digest(journal)
    with pytest.raises(ConfigError, match="cannot replay") as info:
        open_storage(StorageSpec(str(journal)))
    assert "\n" not in str(info.value)
    assert digest(journal) == before  # nothing appended


def test_damage_in_the_middle_is_found(tmp_path: Path) -> None:
    journal = tmp_path / "j.journal"
    journal.write_bytes(record(0) + b"\x00\x01garbage\n" + record(2))
    assert first_damage(journal) == (2, "a line that is not JSON")


def test_a_sound_journal_and_a_missing_one_pass(tmp_path: Path) -> None:
    journal = tmp_path / "j.journal"
    check_journal(journal)  # missing: a new study
    journal.write_bytes(record(0) + record(2))
    check_journal(journal)
    assert first_damage(journal) is None


def test_a_journal_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a file"):
        check_journal(tmp_path)


@pytest.mark.parametrize(
    "damage",
    [b"garbage line\n", os.urandom(64), b'{"op_code": 5, "worker_id": "cut'],
    ids=["garbage-line", "random-bytes", "no-newline"],
)
def test_a_damaged_journal_is_refused_and_left_as_it_was(
    project: Path, synthetic_file: Path, damage: bytes
) -> None:
    env = env_for(synthetic_file)
    assert runner.invoke(app, FAST, env=env).exit_code == 0
    journal = project / ".credit" / "optuna.journal"
    with journal.open("ab") as fh:
        fh.write(damage)
    before = digest(journal)
    for _ in range(2):  # a second worker is refused the same way: nothing was appended
        result = runner.invoke(app, MORE, env=env)
        assert result.exit_code == 2, result.output
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: ")
        assert "damaged at line" in lines[0] and "head -n" in lines[0]
        assert digest(journal) == before


def test_a_read_only_journal_is_refused_in_a_real_process(
    project: Path, synthetic_file: Path
) -> None:
    """A journal on a file system mounted read-only (root writes through file modes)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a file system")
    env = env_for(synthetic_file)
    mount = project / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        journal = mount / "study.journal"
        first = credit([*FAST, "--storage", str(journal)], project, env)
        assert first.returncode == 0, first.stderr
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        before = digest(journal)
        done = credit([*MORE, "--storage", str(journal)], project, env)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines() == [done.stderr.strip()]
        assert "cannot be written" in done.stderr and "Traceback" not in done.stderr
        assert digest(journal) == before
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        (["--folds", "3"], ["folds 2", "folds 3"]),
        (["--seed", "7"], ["seed 42", "seed 7"]),
        (["--objective", "cost", "--study", "logistic_regression-roc_auc"], ["objective"]),
    ],
)
def test_a_worker_asking_another_question_is_refused(
    project: Path, synthetic_file: Path, extra: list[str], names: list[str]
) -> None:
    env = env_for(synthetic_file)
    assert runner.invoke(app, FAST, env=env).exit_code == 0
    journal = project / ".credit" / "optuna.journal"
    before = digest(journal)
    result = runner.invoke(app, [*FAST, *extra], env=env)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for name in names:
        assert name in lines[0]
    assert digest(journal) == before


def test_a_study_with_trials_but_no_question_is_not_joined(
    project: Path, synthetic_file: Path
) -> None:
    """A study plain Optuna (or another tool) made in the same journal, its direction the
    objective's: its trials would count, its 0.99 would become the best."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    journal = project / ".credit" / "optuna.journal"
    journal.parent.mkdir(parents=True)
    storage = JournalStorage(JournalFileBackend(str(journal)))
    foreign = optuna.create_study(study_name="s4", storage=storage, direction="maximize")
    foreign.optimize(lambda t: 0.99 + 0 * t.suggest_float("C", 0.001, 100, log=True), 1)
    before = digest(journal)
    result = runner.invoke(app, [*FAST, "--study", "s4"], env=env_for(synthetic_file))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "records no question" in lines[0], result.stderr
    assert digest(journal) == before


def test_other_data_or_costs_are_another_question(
    project: Path, synthetic_file: Path, tmp_path: Path
) -> None:
    env = env_for(synthetic_file)
    assert runner.invoke(app, FAST, env=env).exit_code == 0
    other = tmp_path / "other.csv"
    assert (
        runner.invoke(
            app, ["data", "synth", "--rows", "400", "--seed", "3", "-o", str(other)]
        ).exit_code
        == 0
    )
    result = runner.invoke(app, FAST, env={**env, "CREDIT_DATA__PATH": str(other)})
    assert result.exit_code == 2 and "data_digest" in result.stderr, result.output
    result = runner.invoke(app, FAST, env={**env, "CREDIT_COST__ACCEPT_BAD": "9"})
    assert result.exit_code == 2 and "cost_matrix" in result.stderr, result.output
    smote = {**env, "CREDIT_TRAIN__SMOTE": "true"}  # BorderlineSMOTE, m_neighbors 10
    assert runner.invoke(app, [*FAST, "--study", "sm"], env=smote).exit_code == 0
    result = runner.invoke(
        app, [*FAST, "--study", "sm"], env={**smote, "CREDIT_TRAIN__SMOTE_M_NEIGHBORS": "3"}
    )
    assert result.exit_code == 2 and "smote_m_neighbors 10" in result.stderr, result.output
    # another search space (a range, or the log scale Optuna itself fails on mid-study)
    for space in ('{"low": 50.0, "high": 60.0}', '{"low": 0.01, "high": 60.0, "log": false}'):
        spaced = {**env, "CREDIT_TUNE__SPACE": '{"logistic_regression": {"C": ' + space + "}}"}
        result = runner.invoke(app, MORE, env=spaced)
        assert result.exit_code == 2 and "search_space" in result.stderr, result.output
        assert "Traceback" not in result.output
    # the same question again joins the study
    assert runner.invoke(app, MORE, env=env).exit_code == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "extra", "said"),
    [
        (
            "logistic_regression",
            {"CREDIT_TRAIN__SMOTE": "true", "CREDIT_TRAIN__SMOTE_MAX_ROWS": "100"},
            "train.smote_max_rows = 100",
        ),
        ("svm", {"CREDIT_TRAIN__SVM_MAX_ROWS": "100"}, "svm_max_rows"),
    ],
)
def test_tune_keeps_trains_row_limits_before_any_trial(
    project: Path, synthetic_file: Path, model: str, extra: dict[str, str], said: str
) -> None:
    """Every trial fits what the limit guards: refused before the study is opened."""
    args = ["tune", "-m", model, "--folds", "2", "--trials", "1", "--mlflow-disable", "-q"]
    result = credit(args, project, {**env_for(synthetic_file), **extra})
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and said in line
    assert not (project / ".credit" / "optuna.journal").exists()


@pytest.mark.slow
def test_the_tracking_store_is_never_a_study_storage(project: Path, synthetic_file: Path) -> None:
    import sqlite3

    db = project / ".credit" / "mlflow.db"
    db.parent.mkdir(exist_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE experiments (experiment_id INTEGER)")
    before = digest(db)
    result = credit([*FAST, "--storage", f"sqlite:///{db}"], project, env_for(synthetic_file))
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "is the MLflow tracking store database, not a study storage" in line
    assert digest(db) == before
