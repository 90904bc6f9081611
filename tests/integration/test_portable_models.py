"""Every model key goes wherever MLflow goes: a fresh virtual environment built only from the
models' own logged requirements (uv; credit-mlops not installed) loads each with both flavours
and decides as `credit predict` does; `mlflow models serve` there answers the whole decision
and refuses bad input with HTTP 400 naming the column. The environment is built once (slow)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.conftest import REPO
from tests.integration.project import Project, Setup

from credit_mlops.ops.server import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
UV = REPO / ".tools" / "bin" / "uv"
CATALOGUE = "logistic_regression,decision_tree,random_forest,svm,xgboost,scorecard,ensemble"
KEYS = [*CATALOGUE.split(","), "xgboost_calibrated"]
REASONS = 3

SCORE_ALL = """
import importlib.util, json, sys
from pathlib import Path
import mlflow.pyfunc, mlflow.sklearn, pandas as pd

models, applicants, out = Path(sys.argv[1]), pd.read_csv(sys.argv[2]), Path(sys.argv[3])
found = {"credit_mlops": importlib.util.find_spec("credit_mlops") is not None, "runtime": {}}
for folder in sorted(models.iterdir()):
    whole = mlflow.pyfunc.load_model(str(folder)).predict(applicants, params={"reasons": 3})
    whole["sklearn_predict"] = mlflow.sklearn.load_model(str(folder)).predict(applicants)
    whole.to_csv(out / f"{folder.name}.csv", index=False)
    found["runtime"][folder.name] = sys.modules["credit_runtime"].__file__
    for name in [m for m in sys.modules if m.split(".")[0] == "credit_runtime"]:
        del sys.modules[name]  # each model loads the runtime it ships
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def project_setup() -> Setup:
    return Setup(
        "portable",
        commands=(
            ("train", "-m", CATALOGUE, "--no-evaluate"),
            ("train", "-m", "xgboost", "--calibrate", "sigmoid", "--no-evaluate",
             "--mlflow-reg-name", "xgboost_calibrated"),
        ),
    )  # fmt: skip


@pytest.fixture(scope="module")
def models(proj: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each registered model's folder, as a consumer downloads it."""
    import mlflow.artifacts
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=proj.uri, registry_uri=proj.uri)
    root = tmp_path_factory.mktemp("models")
    staging = tmp_path_factory.mktemp("downloads")
    for key in KEYS:
        source = client.get_model_version_download_uri(key, "1")
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=source, dst_path=str(staging / key)
        )
        shutil.move(local, root / key)
        assert (root / key / "MLmodel").is_file(), key
    return root


@pytest.fixture(scope="module")
def venv(models: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment from the models' requirements.txt files only (uv's cache first)."""
    if not UV.is_file():
        pytest.skip(f"uv is not installed at {UV}: run `make install`")
    folder = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([str(UV), "venv", "-q", str(folder), "--python", sys.executable], check=True)
    files = [a for m in sorted(models.iterdir()) for a in ("-r", str(m / "requirements.txt"))]
    install = [str(UV), "pip", "install", "-q", "--python", str(folder / "bin" / "python")]
    done = subprocess.run([*install, "--offline", *files], capture_output=True, text=True)
    if done.returncode != 0:  # the cache lacks an index entry: the ordinary client fetches it
        subprocess.run([*install, *files], check=True, capture_output=True, timeout=900)
    return folder


@pytest.fixture(scope="module")
def applicants(proj: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = pd.read_csv(proj.data_path, sep=r"\s+").drop(columns="kredit")
    path = tmp_path_factory.mktemp("applicants") / "applicants.csv"
    frame.sample(40, random_state=5).to_csv(path, index=False)
    return path


def test_requirements_are_complete_for_each_kind(models: Path) -> None:
    def packages(key: str) -> set[str]:
        lines = (models / key / "requirements.txt").read_text().split()
        return {line.split("==")[0] for line in lines}

    for key in KEYS:
        assert {"mlflow", "scikit-learn", "skops", "pandas"} <= packages(key), key
    assert "optbinning" in packages("scorecard")
    assert "xgboost" in packages("ensemble")  # a member is XGBoost
    assert {"xgboost"} <= packages("xgboost_calibrated")
    assert "shap" in packages("random_forest") and "shap" in packages("decision_tree")


def test_a_fresh_environment_loads_every_key_and_decides_as_credit_predict(
    proj: Project, models: Path, venv: Path, applicants: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scored"
    out.mkdir()
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    done = subprocess.run(
        [str(python), "-c", SCORE_ALL, str(models), str(applicants), str(out)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["credit_mlops"] is False  # nothing but MLflow and the logged requirements
    for key in KEYS:
        assert str(models / key) in found["runtime"][key]  # the runtime shipped with it
        expected = tmp_path / f"{key}-predict.csv"
        args = ["-i", str(applicants), "-o", str(expected), "--explain", str(REASONS)]
        proj.ok("predict", key, *args)
        theirs, ours = pd.read_csv(out / f"{key}.csv"), pd.read_csv(expected)
        assert theirs["decision"].tolist() == ours["decision"].tolist(), key
        # XGBoost answers float32, which `credit predict` writes in float32's shortest form
        np.testing.assert_allclose(theirs["p_bad"], ours["p_bad"], rtol=1e-6, err_msg=key)
        sklearn = np.where(theirs["sklearn_predict"] == 1, "reject", "accept")
        assert sklearn.tolist() == ours["decision"].tolist(), key
        for i in range(1, REASONS + 1):
            mine, cli = theirs[f"reason_{i}"].fillna(""), ours[f"reason_{i}"].fillna("")
            assert mine.tolist() == cli.tolist(), (key, i)
        if "score" in ours.columns:  # the scorecard's own points
            np.testing.assert_allclose(theirs["score"], ours["score"], rtol=1e-12)


@pytest.fixture
def served(venv: Path, models: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    port = free_port()
    mlflow = venv / "bin" / "mlflow"
    process = subprocess.Popen(
        [
            str(mlflow),
            "models",
            "serve",
            "-m",
            str(models / request.param),
            "--env-manager",
            "local",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-w",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"},
    )  # fmt: skip  (the server execs uvicorn from PATH, as in an activated environment)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/ping", timeout=2):
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                time.sleep(1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _post(url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        f"{url}/invocations",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("served", ["scorecard", "ensemble"], indirect=True)
def test_mlflow_models_serve_answers_the_whole_decision_and_refuses_bad_input(
    served: str, applicants: Path
) -> None:
    frame = pd.read_csv(applicants).head(3)
    split = json.loads(frame.to_json(orient="split", index=False))
    status, answer = _post(served, {"dataframe_split": split, "params": {"reasons": 2}})
    assert status == 200, answer
    rows = answer["predictions"]
    assert isinstance(rows, list) and len(rows) == 3
    for row in rows:
        assert set(row) == {"p_bad", "decision", "score", "reason_1", "reason_2"}
        assert row["decision"] in ("accept", "reject") and 0 <= row["p_bad"] <= 1
    bad = frame.copy()
    bad.loc[1, "laufkont"] = 9
    split = json.loads(bad.to_json(orient="split", index=False))
    status, answer = _post(served, {"dataframe_split": split})
    assert status == 400
    assert "row 1, column 'laufkont'" in str(answer["message"])


SPARK_KEYS = ["logistic_regression", "scorecard", "ensemble"]
STRUCT_OF_TWO = "p_bad double, decision string, score double, reason_1 string, reason_2 string"


def test_spark_udf_gives_the_whole_decision_as_a_struct(models: Path, applicants: Path) -> None:
    """`mlflow.pyfunc.spark_udf` on a real local Spark: the struct's fields come from the
    signature (p_bad, decision, score, reason_1..K) and equal the pyfunc's own answer row for
    row, with the default number of reasons and with `params={"reasons": K}` and the struct
    for K given (docs/consuming-models.md)."""
    import mlflow.pyfunc
    from pyspark.sql import functions as F

    from credit_mlops.lifecycle.spark import session

    frame = pd.read_csv(applicants)
    spark = session("local[2]", app="spark_udf test")
    try:
        table = spark.createDataFrame(frame.assign(row=range(len(frame))))
        columns = F.struct(*[F.col(c) for c in frame.columns])
        for key in SPARK_KEYS:
            path = str(models / key)
            model = mlflow.pyfunc.load_model(path)
            for params in (None, {"reasons": 2}):
                expected = model.predict(frame, params=params)
                # the struct's fields come from the signature (the default reasons); asking
                # for another number of reasons, the caller gives the struct (as documented)
                shape = {"result_type": STRUCT_OF_TWO} if params else {}
                udf = mlflow.pyfunc.spark_udf(
                    spark, path, env_manager="local", params=params, **shape
                )
                got = (
                    table.withColumn("out", udf(columns))
                    .select("row", "out.*")
                    .toPandas()
                    .sort_values("row")
                    .drop(columns="row")
                    .reset_index(drop=True)
                )
                k = 2 if params else 4  # the model's own default (train.reasons)
                names = ["p_bad", "decision", "score", *[f"reason_{i}" for i in range(1, k + 1)]]
                assert list(got.columns) == names, (key, params)
                assert got["decision"].tolist() == expected["decision"].tolist(), key
                np.testing.assert_allclose(got["p_bad"], expected["p_bad"], rtol=1e-12)
                np.testing.assert_allclose(got["score"], expected["score"], rtol=1e-12)
                for name in names[3:]:
                    assert got[name].fillna("").tolist() == expected[name].fillna("").tolist()
    finally:
        spark.stop()
