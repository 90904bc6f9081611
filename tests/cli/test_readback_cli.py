"""Read-back checks through the commands, on a real store: a run whose holdout.json or
reference.json is corrupted gives one line and exit 2 (no traceback, nothing logged), and a
--training-data file that does not exist is refused instead of silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.test_hardening import applicants, one_error_line
from tests.conftest import credit, tracking_uri
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()


def _run_with(store: Path, tmp_path: Path, artifacts: dict[str, bytes]) -> str:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri(store))
    exp = client.create_experiment("credit-risk", artifact_location=str(store / "artifacts"))
    run = client.create_run(exp, run_name="r", tags={"model_name": "logistic_regression"})
    # a model folder, so that runs:/RUN_ID/model names something (its content is never read:
    # each command here stops at the damaged file first)
    for name, content in {"model/MLmodel": b"flavors: {}\n", **artifacts}.items():
        local = tmp_path / "art" / name
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(content)
        client.log_artifact(run.info.run_id, str(local), str(Path(name).parent))
    client.set_terminated(run.info.run_id)
    return str(run.info.run_id)


def _train(data: Path) -> None:
    """One decision tree trained in the project's store, quickly."""
    argv = ["train", "-m", "decision_tree", "--cv-folds", "2", "--cv-repeats", "1", "-q"]
    trained = runner.invoke(app, [*argv, "--no-evaluate", "--data", str(data)])
    assert trained.exit_code == 0, trained.output


def _runs(store: Path) -> int:
    import sqlite3

    with sqlite3.connect(store / "mlflow.db") as con:
        return int(con.execute("select count(*) from runs").fetchone()[0])


@pytest.mark.parametrize("content", [b"", b"\xff\xfe{\x00", b'{"test_rows": "all"}', b"[]"])
@pytest.mark.parametrize("command", ["evaluate", "explain", "fairness"])
def test_a_corrupted_holdout_is_one_line(
    store: Path, tmp_path: Path, command: str, content: bytes
) -> None:
    run_id = _run_with(store, tmp_path, {"results/holdout.json": content})
    before = _runs(store)
    result = runner.invoke(app, [command, f"runs:/{run_id}/model"])
    one_error_line(result, f"results/holdout.json of run {run_id}", "--data FILE")
    assert _runs(store) == before  # no evaluation run was logged


def test_a_corrupted_reference_is_one_line_in_a_real_process(
    store: Path, tmp_path: Path, synthetic_file: Path
) -> None:
    run_id = _run_with(store, tmp_path, {"monitoring/reference.json": b'{"format": 1}'})
    data = synthetic_file
    result = credit(
        ["monitor", f"runs:/{run_id}/model", "--data", str(data)], store.parent, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"error: monitoring/reference.json of run {run_id} is not one")


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "m"],
        ["explain", "m"],
        ["fairness", "m"],
        ["monitor", "m", "--data", "{applicants}"],
        ["report", "m"],
    ],
)
def test_a_missing_training_data_file_is_refused_not_ignored(
    store: Path, tmp_path: Path, command: list[str]
) -> None:
    argv = [a.format(applicants=applicants(tmp_path)) for a in command]
    result = runner.invoke(app, [*argv, "--training-data", str(tmp_path / "gone.asc")])
    one_error_line(result, "--training-data", "gone.asc does not exist")


@pytest.mark.parametrize("command", ["evaluate", "explain", "fairness"])
def test_a_configured_data_file_that_is_gone_is_named_not_passed_over(
    store: Path, tmp_path: Path, command: str
) -> None:
    holdout = b'{"test_rows": [0, 1], "data_digest": "abc"}'
    run_id = _run_with(store, tmp_path, {"results/holdout.json": holdout})
    result = runner.invoke(
        app,
        [command, f"runs:/{run_id}/model"],
        env={"CREDIT_DATA__PATH": str(tmp_path / "moved.asc")},
    )
    one_error_line(result, "data.path", "moved.asc does not exist", run_id)


@pytest.mark.parametrize("params", ["{", "[1, 2]", "", "null"])
def test_a_garbled_tuned_parameters_tag_is_one_line(
    store: Path, synthetic_file: Path, params: str
) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri(store))
    exp = client.create_experiment("credit-risk")
    tags = {"credit.kind": "tune", "credit.params_json": params, "credit.model_key": "xgboost"}
    run = client.create_run(exp, run_name="tune", tags=tags)
    client.set_terminated(run.info.run_id)
    before = _runs(store)
    result = runner.invoke(
        app,
        ["train", "--data", str(synthetic_file), "-m", "xgboost", "--params-from", run.info.run_id],
    )
    one_error_line(result, f"tag credit.params_json of run {run.info.run_id}")
    assert _runs(store) == before  # nothing trained or logged


@pytest.mark.parametrize("command", ["evaluate", "explain"])
def test_a_moved_store_is_named_not_blamed_on_the_model(
    store: Path, tmp_path: Path, command: str
) -> None:
    """A local store records its artifact folder by absolute path: moved elsewhere, its runs
    name the old folder. The message says so and how to reach the files, and following it
    works; it does not tell the user the model was not trained by credit."""
    run_id = _run_with(store, tmp_path, {"results/holdout.json": b"{}"})
    moved = tmp_path / "moved-artifacts"
    (store / "artifacts").rename(moved)  # the recorded folder is gone, its files elsewhere
    result = runner.invoke(app, [command, f"runs:/{run_id}/model"])
    one_error_line(result, f"recorded under {store / 'artifacts'}", "moved or copied")
    assert "not trained by credit" not in result.stderr
    (store / "artifacts").symlink_to(moved)  # the advice: link the old place
    result = runner.invoke(app, [command, f"runs:/{run_id}/model"])
    assert "recorded under" not in result.stderr  # the files are found again


def test_a_copied_store_never_writes_into_the_original(
    tmp_path: Path, synthetic_file: Path
) -> None:
    """A project copied with its `.credit`: its experiment records the original's artifact
    folder, so a new run's files would land there (and be lost with it). Refused before
    any work, naming another experiment works."""
    import shutil

    original, copy = tmp_path / "p1", tmp_path / "p2"
    original.mkdir()
    train = ["train", "-m", "logistic_regression", "--no-evaluate", "-q"]
    train += ["--data", str(synthetic_file)]
    assert credit(train, original).returncode == 0
    shutil.copytree(original, copy, symlinks=True)
    before = sorted((original / ".credit" / "artifacts").rglob("*"))
    result = credit(train, copy)
    assert result.returncode == 2, result.stderr
    assert "copied or moved" in result.stderr and "--mlflow-experiment" in result.stderr
    assert sorted((original / ".credit" / "artifacts").rglob("*")) == before
    result = credit([*train, "--mlflow-experiment", "variant"], copy)
    assert result.returncode == 0, result.stderr
    assert sorted((original / ".credit" / "artifacts").rglob("*")) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda d: d.update(test_rows=d["test_rows"][:3], n_test=3), "not the split of this data"),
        (lambda d: d.update(n_test=5), "n_test says 5 rows"),
        (lambda d: d.update(test_size=0.5), "test size and seed differ from the run's"),
        (lambda d: d.update(test_rows=sorted(d["test_rows"])[::-1]), "not the split of this data"),
        (lambda d: d.update(seed="42"), "seed '42' is not a whole number"),
        (lambda d: d.update(test_rows=[], n_test=0), "lists no rows, yet it held 0.3 out"),
        (lambda d: d.update(test_rows=[99999], n_test=1), "names rows the data lacks"),
    ],
)
def test_a_holdout_edited_by_hand_is_refused_and_nothing_logged(
    store: Path, synthetic_file: Path, edit: object, said: str
) -> None:
    """The rows a run kept out are drawn again from the data, its test size and seed: a
    record that does not give them back is not the one credit train kept."""
    import json

    _train(synthetic_file)
    [path] = store.glob("artifacts/**/results/holdout.json")
    data = json.loads(path.read_text())
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    before = _runs(store)
    argv = ["evaluate", "decision_tree", "--training-data", str(synthetic_file)]
    result = runner.invoke(app, argv)
    one_error_line(result, "results/holdout.json of run", said, "--data FILE")
    assert _runs(store) == before


@pytest.mark.slow
def test_a_reference_naming_a_column_the_data_never_had_is_blamed(
    store: Path, synthetic_file: Path
) -> None:
    """The data passed the run's own description: the reference is what is wrong."""
    import json

    _train(synthetic_file)
    [path] = store.glob("artifacts/**/monitoring/reference.json")
    data = json.loads(path.read_text())
    original = json.dumps(data)
    for edit in ("name", "kind", "codes"):
        data = json.loads(original)
        column = next(c for c in data["columns"] if c["kind"] == "coded")
        if edit == "name":
            column["name"] = "=1+2"
        elif edit == "kind":  # a coded column re-described as numeric, with as many bins
            column.update(kind="numeric", edges=list(range(len(column.pop("codes")) - 1)))
        else:
            column["codes"] = [f"x{c}" for c in column["codes"]]
        path.write_text(json.dumps(data))
        before = _runs(store)
        result = runner.invoke(app, ["monitor", "decision_tree", "--data", str(synthetic_file)])
        one_error_line(result, "monitoring/reference.json of run", "otherwise than", "delete")
        assert str(synthetic_file) not in result.stderr and _runs(store) == before


@pytest.mark.slow
def test_a_huge_artifact_is_refused_unread_and_no_copy_is_left(
    store: Path, synthetic_file: Path, tmp_path: Path
) -> None:
    """A (sparse) 3 GB holdout.json: the store's listing says its size, so it is never
    copied; and the copies the command does make are gone when it ends."""
    _train(synthetic_file)
    [path] = store.glob("artifacts/**/results/holdout.json")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"TMPDIR": str(scratch), "CREDIT_DATA__PATH": str(synthetic_file)}
    kept = path.read_bytes()
    with path.open("r+b") as fh:
        fh.truncate(3 << 30)
    result = credit(["evaluate", "decision_tree"], store.parent, env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: run {path.parents[2].name}: its file results/holdout.json is 3,072 MB, far "
        "above any credit writes (512 MB at most); it was changed outside credit - train or "
        "evaluate again"
    ]
    assert list(scratch.iterdir()) == []
    path.write_bytes(kept)
    again = credit(["evaluate", "decision_tree"], store.parent, env, timeout=300)
    assert again.returncode == 0, again.stderr
    assert list(scratch.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda d: [r.__setitem__(d["columns"].index("alter"), 99_999_999) for r in d["rows"]],
         "alter"),
        (lambda d: d.update(columns=d["columns"][::-1]), "not a sample credit drew"),
        (lambda d: d.update(rows=[]), "holds no rows"),
    ],
)  # fmt: skip
def test_an_edited_background_never_words_an_applicants_reasons(
    store: Path, synthetic_file: Path, tmp_path: Path, edit: object, said: str
) -> None:
    """The run's explanation background and the model's own copy are checked against the
    model's data description: reasons sent to applicants never come from an edited file."""
    import json

    from credit_runtime.errors import DamagedModel
    from credit_runtime.pyfunc import load

    argv = ["train", "-m", "logistic_regression", "--no-smote", "--no-evaluate", "-q"]
    trained = runner.invoke(app, [*argv, "--cv-folds", "2", "--data", str(synthetic_file)])
    assert trained.exit_code == 0, trained.output
    [run_copy] = store.glob("artifacts/*/artifacts/explain/background.json")
    [model_copy] = store.glob("artifacts/**/credit/background.json")
    for path in (run_copy, model_copy):
        data = json.loads(path.read_text())
        edit(data)  # type: ignore[operator]
        path.write_text(json.dumps(data))
    for command in (["explain", "logistic_regression"],
                    ["predict", "logistic_regression", "-i", str(applicants(tmp_path)), "-o",
                     str(tmp_path / "out.csv"), "--explain", "3"]):  # fmt: skip
        result = runner.invoke(app, command)
        one_error_line(result, "explain/background.json of run", said)
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(DamagedModel, match=r"background\.json"):
        load(model_copy.parent.parent)
