"""The `credit` script contacts nothing the team did not configure: MLflow's usage telemetry
is off in its process unless the user chose otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# What MLflow itself decides in the process the console script sets up (its own check).
PROBE = """
import sys
from credit_mlops.cli import main as cli

def command():  # stands in for the Typer app: asks MLflow while the command runs
    from mlflow.telemetry.utils import is_telemetry_disabled
    print("disabled" if is_telemetry_disabled() else "enabled", file=sys.stderr)

cli.app = command
cli.main()
"""

# MLflow also stays quiet under pytest or CI variables: start from an environment without them.
QUIET = ("PYTEST_CURRENT_TEST", "CI", "GITHUB_ACTIONS", "MLFLOW_DISABLE_TELEMETRY", "DO_NOT_TRACK")


def _telemetry(extra: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if k not in QUIET}
    env.update(extra)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_mlflow_itself_would_send_telemetry_in_a_plain_process() -> None:
    """The control: without the script's default, MLflow's own check says enabled here."""
    env = {k: v for k, v in os.environ.items() if k not in QUIET}
    probe = "from mlflow.telemetry.utils import is_telemetry_disabled as d; print(d())"
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "False", done.stderr


def test_the_credit_script_turns_mlflow_telemetry_off() -> None:
    assert _telemetry({}) == "disabled"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"MLFLOW_DISABLE_TELEMETRY": "false"}, "enabled"),
        ({"DO_NOT_TRACK": "false"}, "enabled"),
        ({"DO_NOT_TRACK": "true"}, "disabled"),
    ],
    ids=["mlflow-variable", "do-not-track-false", "do-not-track-true"],
)
def test_the_users_own_choice_stands(extra: dict[str, str], expected: str) -> None:
    assert _telemetry(extra) == expected
