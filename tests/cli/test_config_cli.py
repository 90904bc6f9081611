"""`credit config show` and the profile errors, through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()


def test_config_help() -> None:
    result = runner.invoke(app, ["config", "show", "--help"])
    assert result.exit_code == 0
    assert "--profile" in result.output


def test_show_lists_every_value_with_its_source(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_TRAIN__SEED", "7")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "very-secret-password")
    result = runner.invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["key"]: r for r in json.loads(result.stdout)["settings"]}
    assert rows["train.seed"] == {
        "key": "train.seed",
        "value": "7",
        "source": "env CREDIT_TRAIN__SEED",
    }
    assert rows["train.cv_folds"]["source"] == "configs/local.toml"
    assert rows["train.smote"]["source"] == "default"
    assert rows["tracking.password"]["value"] == "********"
    assert rows["tracking.password"]["source"] == "env MLFLOW_TRACKING_PASSWORD"
    assert "very-secret-password" not in result.output


def test_show_table_masks_credentials_in_the_uri(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://alice:pa55w0rd@mlflow.example:8443")
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, ["config", "show", "--profile", "remote"])
    assert result.exit_code == 0, result.output
    assert "profile 'remote'" in result.output
    assert "pa55w0rd" not in result.output
    assert "https://mlflow.example:8443" in result.output


def test_unknown_profile_exit_2_one_line(project: Path) -> None:
    result = runner.invoke(app, ["config", "show", "--profile", "prod"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "error: profile 'prod' not found" in lines[0] and "(have: local, remote)" in lines[0]
    assert "Traceback" not in result.output


def test_a_profile_that_is_not_a_regular_file_is_one_line(project: Path) -> None:
    (project / "configs" / "dir.toml").mkdir()
    (project / "configs" / "zero.toml").symlink_to("/dev/zero")
    for name in ("dir", "zero"):
        result = runner.invoke(app, ["config", "show", "-p", name])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "is not a regular file" in lines[0], lines
    listed = runner.invoke(app, ["config", "show", "-p", "prod"]).stderr
    assert "(have: local, remote)" in listed  # the folder and the device are not profiles


def test_malformed_toml_exit_2(project: Path) -> None:
    (project / "configs" / "local.toml").write_text("[train\n")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 2
    assert "local.toml: malformed TOML" in result.stderr


def test_debug_shows_the_traceback(project: Path) -> None:
    result = runner.invoke(app, ["--debug", "config", "show", "--profile", "prod"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert "ConfigError" in result.stderr
