"""Names and targets are checked before any work: exit 2, one line, nothing trained,
nothing written to the store or the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.test_hardening import FAST, applicants, one_error_line
from tests.conftest import credit
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()


def _untouched(store: Path, before: bytes) -> None:
    assert (store / "mlflow.db").read_bytes() == before
    assert not (store / "outbox").exists()
    assert not (store / "artifacts").exists()


@pytest.mark.parametrize(
    ("flags", "needles"),
    [
        (["--mlflow-reg-name", "a:b"], ["--mlflow-reg-name", "contains ':'"]),
        (["--mlflow-reg-name", "team/model"], ["--mlflow-reg-name", "contains '/'"]),
        (["--mlflow-reg-name", ".."], ["--mlflow-reg-name", "not a plain name"]),
        (["--mlflow-reg-name", "o'brien"], ["--mlflow-reg-name", 'contains "\'"']),
        (["--mlflow-reg-name", ""], ["--mlflow-reg-name", "is empty"]),
        (["--mlflow-run-name", "run\n# injected"], ["--mlflow-run-name", "control character"]),
        (["--mlflow-run-name", "x" * 201], ["--mlflow-run-name", "limit is 200"]),
        (["--mlflow-experiment", ""], ["tracking.experiment"]),
        (["--mlflow-experiment", "exp\r\nx"], ["tracking.experiment", "control character"]),
        (["--mlflow-tags", '{"a\\nb": "x"}'], ["tracking.tags", "tag name"]),
        (["--mlflow-tags", '{"<img>": "x"}'], ["tracking.tags", "tag name"]),
        (["--mlflow-tags", '{"": "x"}'], ["tracking.tags", "tag name"]),
        (["--mlflow-tags", '{"k": "' + "v" * 8001 + '"}'], ["tracking.tags", "limit is 8000"]),
        (["--mlflow-tags", '{"mlflow.runName": "x"}'], ["tracking.tags", "MLflow sets"]),
        (["--mlflow-tags", '{"model_name": "svm"}'], ["tracking.tags", "MLflow sets"]),
        (["--mlflow-tags", '{"credit.synced": "1"}'], ["tracking.tags", "MLflow sets"]),
        (["--mlflow-tags", '{"model_version": "9"}'], ["tracking.tags", "MODEL_VERSION"]),
        (["--mlflow-run-name", "a\u202eb"], ["--mlflow-run-name", "invisible"]),
        (["--mlflow-run-name", "a\u0085b"], ["--mlflow-run-name", "control"]),
        (["--mlflow-reg-name", "zero\u200bwidth"], ["--mlflow-reg-name", "invisible"]),
        (["--mlflow-experiment", "x\ufeff"], ["tracking.experiment", "invisible"]),
    ],
)
def test_train_refuses_a_bad_name_before_training(
    store: Path, synthetic_file: Path, flags: list[str], needles: list[str]
) -> None:
    before = (store / "mlflow.db").read_bytes()
    result = runner.invoke(
        app, ["train", "--data", str(synthetic_file), "-m", "decision_tree", *FAST, *flags]
    )
    one_error_line(result, *needles)
    _untouched(store, before)


def test_a_bad_experiment_in_the_environment_names_its_variable(
    store: Path, synthetic_file: Path
) -> None:
    result = runner.invoke(
        app,
        ["train", "--data", str(synthetic_file), "-m", "decision_tree", *FAST],
        env={"CREDIT_TRACKING__EXPERIMENT": "a\tb"},
    )
    one_error_line(result, "CREDIT_TRACKING__EXPERIMENT", "control character")


@pytest.mark.parametrize("study", ["", "s\nt", " s"])
def test_tune_refuses_a_bad_study_name(store: Path, synthetic_file: Path, study: str) -> None:
    before = (store / "mlflow.db").read_bytes()
    result = runner.invoke(
        app, ["tune", "-m", "decision_tree", "--data", str(synthetic_file), "--study", study]
    )
    one_error_line(result, "tune.study")
    _untouched(store, before)
    assert not (store / "optuna.journal").exists()


@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("models:/x/1/../../y/1", "contains '/'"),
        ("", "target is empty"),
        ("x@", "alias '' is not valid"),
        ("a:b", "contains ':'"),
        ("o'brien/1", "searches cannot name"),
        ("runs:/../../etc/model", "is not a run id"),
        ("runs:/abc/../../etc", "not a plain path inside the run"),
    ],
)
@pytest.mark.parametrize("command", ["predict", "evaluate", "promote", "report", "monitor"])
def test_every_command_taking_a_target_checks_its_grammar_first(
    store: Path, tmp_path: Path, command: str, target: str, needle: str
) -> None:
    extra = {
        "predict": ["-i", str(applicants(tmp_path)), "-o", str(tmp_path / "o.csv")],
        "evaluate": [],
        "promote": ["1", "Production"],
        "report": [],
        "monitor": ["--data", str(applicants(tmp_path))],
    }[command]
    before = (store / "mlflow.db").read_bytes()
    result = runner.invoke(app, [command, target, *extra])
    if command == "promote" and needle not in ("contains '/'", "contains ':'"):
        # promote takes a NAME, not a target: 'x@' is a name the registry allows (not found)
        assert result.exit_code == 2 and "Traceback" not in result.output
    else:
        one_error_line(result, needle)
    assert (store / "mlflow.db").read_bytes() == before
    assert not (tmp_path / "o.csv").exists()


def test_register_refuses_a_bad_name_before_the_store(store: Path) -> None:
    result = runner.invoke(app, ["register", "0" * 32, "--name", "a:b"])
    one_error_line(result, "--name", "contains ':'")


def test_a_real_process_refuses_the_issue_name_before_training(
    project: Path, synthetic_file: Path
) -> None:
    result = credit(
        [
            "train",
            "--data",
            str(synthetic_file),
            "-m",
            "logistic_regression",
            "--mlflow-reg-name",
            "a:b",
        ],
        project,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: --mlflow-reg-name: registered model name 'a:b'")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (project / ".credit" / "outbox").exists()
    assert not (project / ".credit" / "mlflow.db").exists()


@pytest.mark.parametrize("version", ["١", "¹", "٢٣", "１"])
def test_a_version_in_other_digits_is_no_version(store: Path, tmp_path: Path, version: str) -> None:
    """The registry numbers versions 0-9 only: other scripts' digits are refused as the
    target's grammar, before the store is asked."""
    before = (store / "mlflow.db").read_bytes()
    result = runner.invoke(app, ["evaluate", f"logistic_regression/{version}"])
    assert result.exit_code == 2, result.output
    assert "is neither a version number" in result.stderr
    assert (store / "mlflow.db").read_bytes() == before
