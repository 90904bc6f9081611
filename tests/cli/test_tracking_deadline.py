"""A tracking server that sends its answer one byte at a time no longer holds a command: each
request has a deadline as a whole (tracking/deadline.py), said in one line with exit 3."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import credit
from tests.trickle_server import trickling
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
# one try of at most 2 x 1 s: the deadline is 2 s
QUICK = {"CREDIT_TRACKING__HTTP_TIMEOUT": "1", "CREDIT_TRACKING__HTTP_MAX_RETRIES": "0"}


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["compare"],
        ["register", "0123456789abcdef", "--name", "x"],
        ["promote", "m", "1", "Staging"],
    ],
)
def test_a_trickling_answer_ends_a_command_in_one_line(project: Path, args: list[str]) -> None:
    with trickling("body") as url:
        result = runner.invoke(app, [*args, "--mlflow-uri", url], env=QUICK)
    assert result.exit_code == 3, result.output
    assert one_line(result.stderr) == (
        f"error: tracking server at {url} does not finish its answer within 2 s; check the "
        "server and its network, or give it more time with tracking.http_timeout "
        "(CREDIT_TRACKING__HTTP_TIMEOUT)"
    )


def test_a_trickling_health_check_ends_in_one_line(project: Path) -> None:
    with trickling("headers", health_ok=False) as url:
        result = runner.invoke(app, ["compare", "--mlflow-uri", url], env=QUICK)
    assert result.exit_code == 3, result.output
    assert "does not finish its answer within 2 s" in one_line(result.stderr)


def test_a_real_train_against_a_trickling_server_stops_before_training(
    project: Path, synthetic_file: Path
) -> None:
    """With MLflow's retries (1) and back-off (1 s), headers sent one byte at a time: the
    deadline is 2 x 2 x 1 + 1 = 5 s; the generous subprocess timeout only proves no hang."""
    args = ["train", "--data", str(synthetic_file), "-m", "decision_tree", "-q"]
    with trickling("headers") as url:
        result = credit(
            [*args, "--cv-folds", "2", "--cv-repeats", "1", "--mlflow-uri", url],
            project,
            env={"CREDIT_TRACKING__HTTP_TIMEOUT": "1"},
            timeout=300,
        )
    assert result.returncode == 3, result.stderr
    assert "does not finish its answer within 5 s" in one_line(result.stderr)
    assert not (project / ".credit" / "outbox").exists()  # nothing was trained to keep
