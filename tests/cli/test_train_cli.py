"""`credit train` through Typer's CliRunner, and a real subprocess run of the script."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import credit
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.data import schema, tables

runner = CliRunner()
FAST = ["--cv-folds", "2", "--cv-repeats", "1"]
TRUST_PREPROCESSOR = {"CREDIT_TRAIN__TRUST_PREPROCESSOR_CODE": "true"}  # --preprocessor opt-in


def test_train_help_lists_the_seed_flags() -> None:
    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for flag in (
        "--mlflow-disable",
        "--mlflow-uri",
        "--mlflow-experiment",
        "--mlflow-run-name",
        "--mlflow-reg-name",
        "--mlflow-tags",
        "--model-version",
        "--no-register",
        "--no-smote",
        "--no-evaluate",
        "--smote-method",
        "--X-train",
        "--y-train",
        "--preprocessor",
        "--test-size",
        "--cv-folds",
        "--cv-repeats",
        "--seed",
        "--quiet",
        "--json",
        "--profile",
    ):
        assert flag in result.output, flag


def test_train_logs_and_registers_one_model(store: Path, synthetic_file: Path) -> None:
    result = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(synthetic_file),
            "--model",
            "logistic_regression",
            *FAST,
            "--mlflow-run-name",
            "lr_baseline",
        ],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Experiment: 'credit-risk'" in out
    assert "Run: lr_baseline" in out
    assert "Registered as: 'logistic_regression' version 1" in out
    assert "Run ID: " in out
    assert "Cross-validation" in out


def test_train_json_is_the_only_stdout(store: Path, synthetic_file: Path) -> None:
    result = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(synthetic_file),
            "-m",
            "decision_tree,logistic_regression",
            *FAST,
            "--json",
            "--no-register",
            "--model-version",
            "1.3.0-beta",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [r["key"] for r in report["results"]] == ["decision_tree", "logistic_regression"]
    assert report["model_version"] == "1.3.0-beta"
    assert report["n_train"] == 280 and report["n_holdout"] == 120
    for r in report["results"]:
        assert len(r["run_id"]) == 32
        assert r["registered_name"] is None
        assert 0.0 <= r["metrics"]["roc_auc_test_mean"] <= 1.0
    assert set(report["timings"]) >= {"import", "data", "cv", "fit", "logging"}


def test_mlflow_disable_trains_without_a_store(project: Path, synthetic_file: Path) -> None:
    result = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(synthetic_file),
            "-m",
            "decision_tree",
            *FAST,
            "--mlflow-disable",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["results"][0]["run_id"] is None
    assert report["results"][0]["metrics"]["f1_test_mean"] >= 0
    assert not (project / ".credit").exists()


def test_quiet_prints_only_the_summary(store: Path, synthetic_file: Path) -> None:
    result = runner.invoke(
        app, ["train", "--data", str(synthetic_file), "-m", "decision_tree", *FAST, "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "Registered as" in result.stdout
    assert "Cross-validation" not in result.stdout
    assert "cross-validation" not in result.stderr  # no progress bar


def write_xy(folder: Path, frame: pd.DataFrame) -> list[str]:
    """The scripts project's processed inputs: --X-train and --y-train CSV files."""
    frame[list(schema.FEATURES)].to_csv(folder / "X.csv", index=False)
    frame[[schema.TARGET]].to_csv(folder / "y.csv", index=False)
    return ["--X-train", str(folder / "X.csv"), "--y-train", str(folder / "y.csv")]


def test_seed_processed_inputs(store: Path, tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    xy = write_xy(tmp_path, synthetic_frame)
    result = runner.invoke(app, ["train", *xy, "-m", "logistic_regression", *FAST, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data_source"].endswith("X.csv+" + str(tmp_path / "y.csv"))


def test_seed_preprocessor_joblib_replaces_ours(
    store: Path, tmp_path: Path, synthetic_frame: pd.DataFrame
) -> None:
    import joblib
    from mlflow import MlflowClient
    from sklearn.preprocessing import StandardScaler

    joblib.dump(StandardScaler(), tmp_path / "pre.joblib")
    xy = write_xy(tmp_path, synthetic_frame)
    pre = ["--preprocessor", str(tmp_path / "pre.joblib")]
    args = ["train", *xy, *pre, "-m", "logistic_regression", *FAST, "--json", "--no-register"]
    result = runner.invoke(app, args, env=TRUST_PREPROCESSOR)
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["results"][0]["run_id"]
    run = MlflowClient(tracking_uri=f"sqlite:///{store / 'mlflow.db'}").get_run(run_id)
    assert run.data.params["preprocessor"] == str(tmp_path / "pre.joblib")
    assert "roc_auc_test_mean" in run.data.metrics


# --- bad input: exit 2, one line naming the problem, nothing written to the store -------

Builder = Callable[[Path, pd.DataFrame], list[str]]


def data_file(mutate: Callable[[pd.DataFrame], pd.DataFrame]) -> Builder:
    def build(tmp: Path, frame: pd.DataFrame) -> list[str]:
        return ["--data", str(tables.write_table(mutate(frame.copy()), tmp / "in.asc"))]

    return build


def raw_text(transform: Callable[[str], str]) -> Builder:
    def build(tmp: Path, frame: pd.DataFrame) -> list[str]:
        path = tables.write_table(frame, tmp / "in.asc")
        path.write_text(transform(path.read_text()))
        return ["--data", str(path)]

    return build


def set_cell(column: str, value: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.astype(object) if isinstance(value, str) else frame
        frame.loc[2, column] = value
        return frame

    return mutate


def processed(y_rows: int) -> Builder:
    def build(tmp: Path, frame: pd.DataFrame) -> list[str]:
        frame[list(schema.FEATURES)].to_csv(tmp / "X.csv", index=False)
        frame[[schema.TARGET]].head(y_rows).to_csv(tmp / "y.csv", index=False)
        return ["--X-train", str(tmp / "X.csv"), "--y-train", str(tmp / "y.csv")]

    return build


def _text_file(tmp: Path) -> Path:
    path = tmp / "pre.joblib"
    path.write_text("not a pickle")
    return path


def ok(tmp: Path, frame: pd.DataFrame) -> list[str]:
    return data_file(lambda f: f)(tmp, frame)


BAD_INPUTS: dict[str, tuple[Builder, list[str], str]] = {
    "unknown model": (ok, ["-m", "gbm"], "unknown model 'gbm'"),
    "tags not an object": (ok, ["--mlflow-tags", "[1, 2]"], "--mlflow-tags must be a JSON object"),
    "tags not JSON": (ok, ["--mlflow-tags", "{dataset: x}"], "--mlflow-tags is not valid JSON"),
    "version not semver": (ok, ["--model-version", "1.3"], "'1.3' is not a semantic version"),
    "missing file": (lambda t, f: ["--data", str(t / "absent.asc")], [], "does not exist"),
    "empty file": (raw_text(lambda s: ""), [], "file is empty"),
    "truncated file": (raw_text(lambda s: s[: len(s) // 2]), [], "missing values at line"),
    "garbled file": (raw_text(lambda s: s.replace(" ", ";", 300)), [], "garbled table"),
    "wrong columns": (data_file(lambda f: f.drop(columns=["rate"])), [], "missing column(s) rate"),
    "duplicated columns": (
        raw_text(lambda s: s.replace("telef", "rate", 1)),
        [],
        "duplicated column(s) rate",
    ),
    "code out of domain": (data_file(set_cell("famges", 7)), [], "column 'famges' has 1 codes"),
    "non-binary target": (data_file(set_cell("kredit", 3)), [], "must be binary"),
    "single-class target": (data_file(lambda f: f.assign(kredit=0)), [], "single class"),
    "X and y lengths differ": (processed(100), [], "--X-train has 400 rows but --y-train has 100"),
    "unknown profile": (ok, ["--profile", "prod"], "profile 'prod' not found"),
    "reg name with several models": (
        ok,
        ["-m", "svm,xgboost", "--mlflow-reg-name", "x"],
        "names one registered model",
    ),
    "smote method": (ok, ["--smote-method", "tomek"], "unknown SMOTE method 'tomek'"),
    "missing preprocessor": (
        ok,
        ["--preprocessor", "/nonexistent/pre.joblib"],
        "preprocessor /nonexistent/pre.joblib",
    ),
    "preprocessor not a joblib file": (
        lambda t, f: [*ok(t, f), "--preprocessor", str(_text_file(t))],
        [],
        "not a joblib",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exit_2_one_line_nothing_tracked(
    case: str, project: Path, tmp_path: Path, synthetic_frame: pd.DataFrame
) -> None:
    build, extra, expected = BAD_INPUTS[case]
    args = ["train", "-m", "logistic_regression", *FAST, *build(tmp_path, synthetic_frame), *extra]
    env = TRUST_PREPROCESSOR if "preprocessor" in case else None
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 2, (case, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.output
    assert not (project / ".credit").exists()  # nothing written to the tracking store


def test_malformed_profile_exit_2(project: Path, synthetic_file: Path) -> None:
    (project / "configs" / "local.toml").write_text("models = [\n")
    result = runner.invoke(app, ["train", "--data", str(synthetic_file)])
    assert result.exit_code == 2
    assert "malformed TOML" in result.stderr


# --- the real script, in a subprocess -------------------------------------------------


def test_script_help_and_version(project: Path) -> None:
    result = credit(["--help"], project)
    assert result.returncode == 0
    assert "train" in result.stdout and "config" in result.stdout
    assert credit(["--version"], project).stdout.startswith("credit 0.")


def test_script_trains_in_a_subprocess(store: Path, synthetic_file: Path) -> None:
    result = credit(
        ["train", "--data", str(synthetic_file), "-m", "decision_tree", *FAST, "--json"],
        store.parent,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["results"][0]["registered_version"] == "1"
    assert report["tracking_uri"] == f"sqlite:///{store / 'mlflow.db'}"


def test_script_bad_input_exit_code(project: Path) -> None:
    result = credit(["train", "--data", str(project / "none.asc")], project)
    assert result.returncode == 2
    assert result.stderr.startswith("error: data file")
    assert "Traceback" not in result.stderr


def test_bars_reach_a_file_only_when_the_command_succeeds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Standard error that is a file or a pipe sees the bars once, at the end: after a
    failure it holds the error line alone, no stopped bar and no blank line."""
    from credit_mlops.cli.render.train import train_progress

    with pytest.raises(RuntimeError), train_progress(True) as (on_stage, progress):
        assert on_stage is not None and progress is not None
        on_stage("cross-validation", 2)
        progress("logistic_regression", "fold")
        raise RuntimeError("the store went away")
    assert capsys.readouterr().err == ""
    with train_progress(True) as (on_stage, progress):
        assert on_stage is not None and progress is not None
        on_stage("cross-validation", 1)
        progress("logistic_regression", "fold")
    assert capsys.readouterr().err.startswith("cross-validation")


def test_a_test_size_no_split_can_hold_is_named_with_its_source(
    project: Path, synthetic_file: Path
) -> None:
    """From the environment, it is the variable that is named, not a flag never given."""
    argv = ["train", "-m", "logistic_regression", "--data", str(synthetic_file)]
    result = runner.invoke(app, argv, env={"CREDIT_TRAIN__TEST_SIZE": "1e-300"})
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert line.startswith("error: train.test_size (env CREDIT_TRAIN__TEST_SIZE): 1e-300 ")
    assert "--test-size" not in line
