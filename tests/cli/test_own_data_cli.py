"""From a CSV of another shape to a logged model: `credit data describe`, then `credit train`
with the drafted description unedited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from tests.conftest import tracking_uri
from tests.own_data import numeric_default, text_with_gaps, wide, write_csv
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
FAST = ["--cv-folds", "3", "--cv-repeats", "1"]

SHAPES = {
    "text, missing, good/bad": (text_with_gaps, "status", "bad"),
    "numeric, 0/1 default": (numeric_default, "default", "1"),
    "wide": (wide, "bad", "1"),
}


def describe(tmp_path: Path, shape: str) -> tuple[Path, Path]:
    make, target, bad = SHAPES[shape]
    data = write_csv(make(), tmp_path / "apps.csv", sep=";")
    toml = tmp_path / "apps.toml"
    result = runner.invoke(
        app, ["data", "describe", str(data), "--target", target, "--bad", bad, "-o", str(toml)]
    )
    assert result.exit_code == 0, result.output
    assert "Drafted description 'apps'" in result.stderr
    return data, toml


def test_describe_prints_toml_without_output(project: Path, tmp_path: Path) -> None:
    data = write_csv(numeric_default(), tmp_path / "n.csv")
    result = runner.invoke(
        app, ["data", "describe", str(data), "--target", "default", "--bad", "1"]
    )
    assert result.exit_code == 0, result.output
    assert 'name = "n"' in result.stdout.splitlines()
    assert "[columns.x0]" in result.stdout


@pytest.mark.parametrize("shape", list(SHAPES))
def test_synth_like_draws_applicants_the_description_accepts(
    project: Path, tmp_path: Path, shape: str
) -> None:
    data, toml = describe(tmp_path, shape)
    env = {"CREDIT_DATA__DESCRIPTION": str(toml)}
    fake = tmp_path / "fake.csv"
    made = runner.invoke(
        app, ["data", "synth", "--rows", "2000", "--like", str(data), "-o", str(fake)], env=env
    )
    assert made.exit_code == 0, made.output
    checked = runner.invoke(app, ["data", "validate", str(fake)], env=env)
    assert checked.exit_code == 0, checked.output
    assert "2000 rows" in checked.output
    shipped = runner.invoke(app, ["data", "synth", "--rows", "5", "-o", str(fake)], env=env)
    assert shipped.exit_code == 2 and "give --like FILE" in shipped.output


def test_spark_training_refuses_a_teams_own_description_before_spark_starts(
    project: Path, tmp_path: Path
) -> None:
    pytest.importorskip("pyspark")
    data, toml = describe(tmp_path, "numeric, 0/1 default")
    env = {"CREDIT_DATA__DESCRIPTION": str(toml)}
    result = runner.invoke(
        app,
        ["train", "--engine", "spark", "-m", "logistic_regression", "--data", str(data)],
        env=env,
    )
    assert result.exit_code == 2, result.output
    assert "the settings name the data description 'apps': use --engine pandas" in result.stderr
    assert not (project / ".credit").exists()


def test_describe_bad_value_is_exit_2(project: Path, tmp_path: Path) -> None:
    data = write_csv(numeric_default(), tmp_path / "n.csv")
    result = runner.invoke(
        app, ["data", "describe", str(data), "--target", "default", "--bad", "7"]
    )
    assert result.exit_code == 2
    assert "--bad '7' is not a value of 'default'" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_drafted_description_goes_the_whole_path_unedited(
    store: Path, tmp_path: Path, shape: str
) -> None:
    """describe -> train -> register -> predict --explain -> evaluate -> fairness -> monitor
    -> report, the scorecard's table and a short tune, on a data set of another shape."""
    data, toml = describe(tmp_path, shape)
    env = {"CREDIT_DATA__DESCRIPTION": str(toml), "COLUMNS": "160"}
    result = runner.invoke(
        app,
        ["train", "--data", str(data), "--model", "logistic_regression,scorecard", *FAST, "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    client = MlflowClient(tracking_uri=tracking_uri(store))
    runs = client.search_runs([client.get_experiment_by_name("credit-risk").experiment_id])
    assert len(runs) == 2
    for run in runs:
        assert run.data.params["data_description"] == "apps"
        assert run.data.metrics["roc_auc_test_mean"] > 0.5  # the made-up signal is found
        logged = client.download_artifacts(run.info.run_id, "data/description.json", str(tmp_path))
        assert json.loads(Path(logged).read_text())["name"] == "apps"
    _the_rest_of_the_path(tmp_path, data, env)


def _the_rest_of_the_path(tmp_path: Path, data: Path, env: dict[str, str]) -> None:
    def ok(*args: str) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, (args, result.output)
        return str(result.output)

    scored = tmp_path / "scored.csv"
    ok("predict", "logistic_regression", "-i", str(data), "-o", str(scored), "--explain")
    import pandas as pd

    reasons = pd.read_csv(scored)["reason_1"].dropna()
    assert len(reasons) and reasons.str.contains(": ").all()  # "label: value" words
    ok("evaluate", "logistic_regression")
    unfair = runner.invoke(app, ["fairness", "logistic_regression"], env=env)
    assert unfair.exit_code == 2 and "protected" in unfair.output  # none declared: one line
    assert "Traceback" not in unfair.output
    ok("monitor", "logistic_regression", "--data", str(data), "--output-dir", str(tmp_path / "m"))
    ok("report", "logistic_regression", "--output", str(tmp_path / "card"))
    assert (tmp_path / "card" / "model_card.html").is_file()
    assert "points" in ok("scorecard", "scorecard").lower()
    tune = ["tune", "-m", "logistic_regression", "--trials", "2", "--folds", "3"]
    tuned = ok(*tune, "--data", str(data), "--json")
    trials = json.loads(tuned[tuned.index("{") :])["worker"]["trials"]
    assert [t["state"] for t in trials] == ["COMPLETE", "COMPLETE"]


def test_validate_names_the_row_of_an_unknown_category(project: Path, tmp_path: Path) -> None:
    _, toml = describe(tmp_path, "text, missing, good/bad")
    frame = text_with_gaps()
    frame.loc[7, "housing"] = "boat"
    other = write_csv(frame, tmp_path / "other.csv")
    result = runner.invoke(
        app, ["data", "validate", str(other)], env={"CREDIT_DATA__DESCRIPTION": str(toml)}
    )
    assert result.exit_code == 2
    assert "column 'housing' has 1 codes not in the data description" in result.stderr
    assert "line 9 ('boat')" in result.stderr


@pytest.mark.slow
def test_predict_scores_with_the_models_description_and_refuses_another_data_set(
    store: Path, tmp_path: Path
) -> None:
    data, toml = describe(tmp_path, "text, missing, good/bad")
    env = {"CREDIT_DATA__DESCRIPTION": str(toml), "COLUMNS": "160"}
    trained = runner.invoke(
        # --no-smote: with few columns the fitted sampler keeps a KDTree, a type the model
        # runtime does not trust yet
        app,
        ["train", "--data", str(data), "--model", "logistic_regression", "--no-smote", *FAST],
        env=env,
    )
    assert trained.exit_code == 0, trained.output
    applicants = text_with_gaps(50, seed=5).drop(columns=["status"])
    new = write_csv(applicants, tmp_path / "new.csv")
    out = tmp_path / "scores.csv"
    scored = runner.invoke(
        app,
        [
            "predict",
            "logistic_regression",
            "-i",
            str(new),
            "-o",
            str(out),
            "--id-column",
            "applicant",
            "--explain",
        ],
        env=env,
    )
    assert scored.exit_code == 0, scored.output
    import pandas as pd

    scores = pd.read_csv(out)
    assert len(scores) == 50 and set(scores["decision"]) <= {"accept", "reject"}
    assert scores["p_bad"].between(0, 1).all()
    # worded as the model's own decision words them (its description's labels), the same
    # reasons a plain MLflow consumer and credit serve give
    import mlflow.pyfunc

    mlflow.set_tracking_uri(tracking_uri(store))
    try:
        own = mlflow.pyfunc.load_model("models:/logistic_regression/1").predict(
            applicants.drop(columns=["applicant"]), params={"reasons": 4}
        )
    finally:
        mlflow.set_tracking_uri(None)  # type: ignore[arg-type]
    for rank in range(1, 5):
        column = f"reason_{rank}"
        got = scores[column].fillna("").astype(str).tolist()
        assert got == own[column].fillna("").astype(str).tolist(), column
    other = write_csv(numeric_default(50), tmp_path / "other.csv")
    refused = runner.invoke(
        app,
        ["predict", "logistic_regression", "-i", str(other), "-o", str(tmp_path / "o.csv")],
        env=env,
    )
    assert refused.exit_code == 2
    assert "missing column(s) income, housing, years_at_job, age" in refused.stderr
    pytest.importorskip("pyspark")
    spark = ["--engine", "spark", "-o", str(tmp_path / "sp")]  # the shipped columns only
    argv = ["predict", "logistic_regression", "-i", str(new), "--id-column", "applicant"]
    sparked = runner.invoke(app, [*argv, *spark], env=env)
    assert sparked.exit_code == 2, sparked.output
    assert "the settings name the data description 'apps'" in sparked.stderr
    assert "use --engine pandas" in sparked.stderr and not (tmp_path / "sp").exists()
    # the shipped description in the settings, the model's own in its run: the model's
    shipped = {"COLUMNS": "160"}
    sg = tmp_path / "sg.csv"
    assert runner.invoke(app, ["data", "synth", "--rows", "20", "-o", str(sg)]).exit_code == 0
    pd.read_csv(sg, sep=r"\s+").rename_axis("id").reset_index().to_csv(sg, index=False)
    sparked = runner.invoke(
        app, ["predict", "logistic_regression", "-i", str(sg), *spark], env=shipped
    )
    assert sparked.exit_code == 2, sparked.output
    assert "model logistic_regression v1 was trained on the data description 'apps'" in (
        sparked.stderr
    )
    planted = tmp_path / "m.csv"  # a shift in a text column, one in a numeric one with gaps
    shift = ["--shift", "housing=rent@0.8", "--shift", "income*1.5"]
    args = ["data", "drift", "-o", str(planted), "-n", "300", "--data", str(data), *shift]
    made = runner.invoke(app, args, env=env)
    assert made.exit_code == 0, made.output
    drifted = pd.read_csv(planted)
    assert (drifted["housing"] == "rent").mean() > 0.75 and drifted["income"].isna().any()
    watched = runner.invoke(
        app,
        [
            "monitor",
            "logistic_regression",
            "--data",
            str(planted),
            "--output-dir",
            str(tmp_path / "mon"),
        ],
        env=env,
    )
    assert watched.exit_code == 0, watched.output
    for column in ("income", "housing", "years_at_job", "age"):
        assert column in watched.stdout


@pytest.mark.slow
def test_evaluate_reads_the_holdout_with_the_models_description(
    store: Path, tmp_path: Path
) -> None:
    data, toml = describe(tmp_path, "text, missing, good/bad")
    env = {"CREDIT_DATA__DESCRIPTION": str(toml), "COLUMNS": "160"}
    trained = runner.invoke(
        app,
        ["train", "--data", str(data), "--model", "logistic_regression", "--no-smote", *FAST],
        env=env,
    )
    assert trained.exit_code == 0, trained.output
    evaluated = runner.invoke(app, ["evaluate", "logistic_regression"], env=env)
    assert evaluated.exit_code == 0, evaluated.output
    assert "holdout" in evaluated.output.lower()
    refused = runner.invoke(app, ["fairness", "logistic_regression"], env=env)
    assert refused.exit_code == 2
    assert "the data description 'apps' declares no protected attributes" in refused.stderr
    # a person adds a protected attribute to the drafted description: fairness compares it
    toml.write_text(toml.read_text() + "\n[protected.housing]\n", encoding="utf-8")
    compared = runner.invoke(app, ["fairness", "logistic_regression", "--data", str(data)], env=env)
    assert compared.exit_code == 0, compared.output
    assert "housing" in compared.output
