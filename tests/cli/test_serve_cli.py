"""`credit serve` and `credit monitor --served`: help and the refusals that come before any
model is loaded, each with its exit code and one line naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()


def test_serve_help_names_the_endpoints_and_the_token() -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "/v1/decisions" in result.output and "CREDIT_SERVE__TOKEN" in result.output
    assert "--token" not in result.output  # a secret never goes on the command line


def test_another_host_without_a_token_is_refused(project: Path) -> None:
    result = runner.invoke(app, ["serve", "m@production", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "set a token" in result.output and "--insecure" in result.output
    assert "Traceback" not in result.output


def test_a_short_token_is_refused_and_not_shown(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_SERVE__TOKEN", "tiny-secret")
    result = runner.invoke(app, ["serve", "m@production"])
    assert result.exit_code == 2
    assert "shorter than 16" in result.output and "tiny-secret" not in result.output


def test_workers_must_be_positive(project: Path) -> None:
    result = runner.invoke(app, ["serve", "m@production", "--workers", "0"])
    assert result.exit_code == 2 and "serve.workers" in result.output


@pytest.mark.parametrize("port", ["0", "65536", "-1"])
def test_a_port_outside_1_to_65535_is_refused(project: Path, port: str) -> None:
    result = runner.invoke(app, ["serve", "m@production", "--port", port])
    assert result.exit_code == 2 and "serve.port" in result.output, result.output


def test_no_store_yet_is_said(project: Path) -> None:
    result = runner.invoke(app, ["serve", "m@production"])
    assert result.exit_code == 2 and "credit train" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["monitor", "m"],
        ["monitor", "m", "--data", "x.csv", "--served"],
        ["monitor", "m", "--data", "x.csv", "--since", "2026-01-01"],
    ],
)
def test_monitor_needs_data_or_served(project: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--data FILE, or --served" in result.output


def test_monitor_served_takes_no_output_dir(project: Path) -> None:
    result = runner.invoke(app, ["monitor", "m", "--served", "--output-dir", "out"])
    assert result.exit_code == 2 and "--output-dir goes with --data" in result.output
