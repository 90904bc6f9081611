"""A file named in a flag is the file the shell shows: relative to the current folder, in
every command, even in a sub-folder of the project where a file of the same name sits in
the project folder (which was read instead, without a word)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.flags import from_here
from credit_mlops.cli.main import app

runner = CliRunner()
FAST = ["-m", "logistic_regression", "--no-smote", "--cv-folds", "2", "--cv-repeats", "1"]


def test_data_in_a_sub_folder_is_the_one_read_not_the_projects(
    project: Path, synthetic_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = project / "work"
    sub.mkdir()
    shutil.copy(synthetic_file, sub / "apps.asc")  # what the user names, here
    (project / "apps.asc").write_text("not data at all\n")  # same name, project folder
    monkeypatch.chdir(sub)
    result = runner.invoke(app, ["train", *FAST, "--data", "apps.asc", "--mlflow-disable"])
    assert result.exit_code == 0, result.output
    (sub / "apps.asc").unlink()
    (project / "apps.asc").unlink()
    shutil.copy(synthetic_file, project / "apps.asc")  # only in the project folder now
    missing = runner.invoke(app, ["train", *FAST, "--data", "apps.asc", "--mlflow-disable"])
    assert missing.exit_code == 2, missing.output
    assert str(sub / "apps.asc") in missing.stderr  # the file the user named, said so


def test_urls_and_blank_values_are_left_to_their_settings() -> None:
    assert from_here("sqlite:///studies.db") == "sqlite:///studies.db"
    assert from_here("") == ""
    assert from_here(Path("/abs/x.csv")) == Path("/abs/x.csv")
    assert from_here("rel.journal") == str(Path.cwd() / "rel.journal")
    assert from_here(Path("rel.csv")) == Path.cwd() / "rel.csv"
