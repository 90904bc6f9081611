"""`--profile remote` against real `mlflow server` processes: sqlite and PostgreSQL backends."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import credit
from tests.integration.conftest import make_project

from credit_mlops.ops.server import MlflowServer

pytestmark = pytest.mark.integration
FAST = ["--cv-folds", "2", "--cv-repeats", "1"]


def remote_env(server: MlflowServer, data_file: Path) -> dict[str, str]:
    return {"MLFLOW_TRACKING_URI": server.spec.url, "CREDIT_DATA__PATH": str(data_file)}


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_whole_lifecycle_with_the_remote_profile(
    team_server: MlflowServer, data_file: Path, tmp_path: Path
) -> None:
    project = make_project(tmp_path)
    env = remote_env(team_server, data_file)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return ok(credit(["--debug", *args, "--profile", "remote"], project, env))

    trained = json.loads(run("train", "-m", "logistic_regression", *FAST, "--json").stdout)
    result = trained["results"][0]
    assert trained["tracking_uri"] == team_server.spec.url
    assert trained["experiment"] == "credit-risk-team"
    assert result["registered_version"] == "1"
    assert result["run_url"].startswith(f"{team_server.spec.url}/#/experiments/")
    unregistered = json.loads(
        run("train", "-m", "decision_tree", *FAST, "--no-register", "--json").stdout
    )["results"][0]["run_id"]
    registered = json.loads(run("register", unregistered, "--json").stdout)
    assert registered == {**registered, "name": "decision_tree", "version": "1"}
    run("promote", "logistic_regression", "1", "Staging")
    promoted = json.loads(run("promote", "logistic_regression", "1", "Production", "--json").stdout)
    assert promoted["to_stage"] == "Production"
    compared = json.loads(run("compare", "--format", "json").stdout)
    assert sorted(r["model"] for r in compared["rows"]) == ["decision_tree", "logistic_regression"]
    assert compared["tracking_uri"] == team_server.spec.url
    evaluated = json.loads(run("evaluate", "logistic_regression@production", "--json").stdout)
    assert evaluated["scope"] == "holdout" and evaluated["n_rows"] == 300
    applicants = tmp_path / "applicants.csv"
    pd.read_csv(data_file, sep=r"\s+").drop(columns=["kredit"]).head(20).to_csv(
        applicants, index=False
    )
    predicted = json.loads(
        run(
            "predict",
            "logistic_regression/Production",
            "-i",
            str(applicants),
            "-o",
            str(tmp_path / "scored.csv"),
            "--json",
        ).stdout
    )
    assert predicted["rows"] == 20
    # everything landed on the server, nothing in a local store
    assert not (project / ".credit" / "mlflow.db").exists()
    assert any((team_server.spec.folder / "artifacts").rglob("model_results.json"))


def test_four_concurrent_trains_get_four_versions(
    team_server: MlflowServer, data_file: Path, tmp_path: Path
) -> None:
    project = make_project(tmp_path)
    env = remote_env(team_server, data_file)
    args = [
        "train",
        "--profile",
        "remote",
        "-m",
        "decision_tree",
        "--no-evaluate",
        "--mlflow-reg-name",
        "concurrent-credit",
        "--json",
    ]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: credit(args, project, env), range(4)))
    for r in results:
        assert r.returncode == 0, r.stderr[-2000:]
    versions = sorted(
        int(json.loads(r.stdout)["results"][0]["registered_version"]) for r in results
    )
    assert versions == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "command",
    [
        ["train", "-m", "decision_tree"],
        ["compare"],
        ["promote", "xgboost", "1", "Production"],
        ["sync"],
    ],
)
def test_nothing_listening_fails_fast_with_exit_3(
    command: list[str], tmp_path: Path, data_file: Path
) -> None:
    from credit_mlops.ops.server import free_port

    project = make_project(tmp_path)
    url = f"http://127.0.0.1:{free_port()}"
    if command == ["sync"]:
        (project / ".credit" / "outbox" / "x").mkdir(parents=True)
        (project / ".credit" / "outbox" / "x" / "run.json").write_text("{}")
    result = credit(
        [*command, "--profile", "remote"],
        project,
        {"MLFLOW_TRACKING_URI": url, "CREDIT_DATA__PATH": str(data_file)},
        timeout=60,
    )
    assert result.returncode == 3, result.stderr
    assert f"tracking server at {url} is unreachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_host_fails_fast(tmp_path: Path, data_file: Path) -> None:
    project = make_project(tmp_path)
    url = "http://credit-no-such-host.invalid:5000"
    result = credit(
        ["train", "--profile", "remote", "-m", "decision_tree"],
        project,
        {"MLFLOW_TRACKING_URI": url, "CREDIT_DATA__PATH": str(data_file)},
        timeout=60,
    )
    assert result.returncode == 3
    assert f"tracking server at {url} is unreachable" in result.stderr


def test_server_that_never_answers_fails_fast(tmp_path: Path, data_file: Path) -> None:
    import socket

    project = make_project(tmp_path)
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        result = credit(
            ["compare", "--profile", "remote"],
            project,
            {"MLFLOW_TRACKING_URI": url, "CREDIT_DATA__PATH": str(data_file)},
            timeout=60,
        )
    assert result.returncode == 3
    assert f"tracking server at {url} is unreachable" in result.stderr


def test_credentials_in_the_uri_are_never_printed(tmp_path: Path) -> None:
    from credit_mlops.ops.server import free_port

    project = make_project(tmp_path)
    url = f"http://alice:Sup3r-Secret-pw@127.0.0.1:{free_port()}"
    result = credit(
        ["compare", "--profile", "remote"], project, {"MLFLOW_TRACKING_URI": url}, timeout=60
    )
    assert result.returncode == 3
    assert "Sup3r-Secret-pw" not in result.stderr + result.stdout


def _applicants(data_file: Path, folder: Path) -> Path:
    from credit_mlops.data.tables import read_table

    path = folder / "app.csv"
    read_table(data_file).drop(columns=["kredit"]).head(3).to_csv(path, index=False)
    return path


HOSTILE = [
    ["compare"],
    ["predict", "logistic_regression/1", "-i", "app.csv", "-o", "o.csv"],
    ["train", "-m", "decision_tree", *FAST],
]


@pytest.mark.parametrize("command", HOSTILE, ids=lambda c: c[0])
def test_a_server_answering_json_that_is_not_mlflows_is_named_as_such(
    command: list[str], tmp_path: Path, data_file: Path
) -> None:
    """200 and JSON to every request: compare ended in a protobuf traceback, predict said
    "no version 1 (versions: none)", train "`model_id` must be a non-empty string"."""
    from tests.fake_tracking import GARBAGE, serving

    project = make_project(tmp_path)
    _applicants(data_file, project)
    with serving(200, GARBAGE) as url:
        result = credit(
            [*command, "--mlflow-uri", url], project, {"CREDIT_DATA__PATH": str(data_file)}
        )
    assert result.returncode == 2, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(
        f"error: tracking at {url} answers HTTP, but not as an MLflow tracking server"
    ), result.stderr[-3000:]
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert "no version" not in result.stderr and not (project / "o.csv").exists()


@pytest.mark.parametrize("command", [HOSTILE[0], HOSTILE[2]], ids=lambda c: c[0])
def test_a_server_failing_every_call_is_failing_not_unreachable(
    command: list[str], tmp_path: Path, data_file: Path
) -> None:
    """/health answers OK, every API call HTTP 500 with a JSON message: the server is
    there and failing (exit 1, its status and message), not "unreachable; start it"."""
    from tests.fake_tracking import FAILURE, serving

    project = make_project(tmp_path)
    with serving(500, FAILURE) as url:
        result = credit(
            [*command, "--mlflow-uri", url], project, {"CREDIT_DATA__PATH": str(data_file)}
        )
    assert result.returncode == 1, result.stderr[-3000:]
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: tracking server at {url} failed (HTTP 500: database is locked "
        "(password=********) while writing run); see its log"
    )
    assert "unreachable" not in result.stderr and "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr
