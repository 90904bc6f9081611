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


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"CREDIT_SERVE__HOST": ""}, "key 'serve.host': is empty; give an address"),
        ({"CREDIT_SERVE__JOURNAL_DROP": '["nosuch"]'}, "unknown column(s) nosuch"),
    ],
)
def test_serve_values_are_refused_named_by_their_source(
    project: Path, env: dict[str, str], said: str
) -> None:
    result = runner.invoke(app, ["serve", "logistic_regression/1"], env=env)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], result.stderr
    assert "--host" not in lines[0]


def test_journal_columns_are_the_teams_own_descriptions(project: Path, tmp_path: Path) -> None:
    """A team's own column is a column to drop from the journal (not only the shipped data's):
    the refusal that follows is the missing store, not the column."""
    from tests.own_data import numeric_default, write_csv

    data = write_csv(numeric_default(), tmp_path / "n.csv")
    toml = tmp_path / "n.toml"
    drafted = runner.invoke(
        app, ["data", "describe", str(data), "--target", "default", "--bad", "1", "-o", str(toml)]
    )
    assert drafted.exit_code == 0, drafted.output
    env = {"CREDIT_DATA__DESCRIPTION": str(toml), "CREDIT_SERVE__JOURNAL_DROP": '["x0"]'}
    result = runner.invoke(app, ["serve", "logistic_regression/1"], env=env)
    assert result.exit_code != 0
    assert "unknown column" not in result.stderr
