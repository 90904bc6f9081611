"""The South German Credit file shipped under data/: the default trains with no network."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import REPO
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.config.loader import load_settings
from credit_mlops.data import dataset, locate, schema

SHIPPED = REPO / schema.SHIPPED_FILE
SHA256 = "921fdae321892628147363b74d675d0f9b2fc940e8989064a771b693622313b6"


def test_shipped_file_is_the_published_one_and_validates() -> None:
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() == SHA256
    ds = dataset.load_dataset(SHIPPED)
    assert ds.shape == (1000, 20)
    assert ds.y.value_counts().to_dict() == {1: 700, 0: 300}


def test_attribution_names_authors_source_licence_and_changes() -> None:
    text = (SHIPPED.parent / "README.md").read_text(encoding="utf-8")
    for needed in (
        "Grömping",
        "archive.ics.uci.edu",
        "creativecommons.org/licenses/by/4.0",
        "Changes",
    ):
        assert needed in text


def with_shipped(project: Path) -> Path:
    target = project / schema.SHIPPED_FILE
    target.parent.mkdir(parents=True)
    shutil.copy(SHIPPED, target)
    return target


def test_default_profile_finds_the_shipped_file(project: Path) -> None:
    shipped = with_shipped(project)
    settings = load_settings()
    assert locate.data_file(settings) == shipped
    result = CliRunner().invoke(app, ["data", "validate"])
    assert result.exit_code == 0, result.output
    assert "1000 rows" in result.stderr


def test_a_fetched_copy_comes_before_the_shipped_one(project: Path) -> None:
    with_shipped(project)
    fetched = project / "data" / "raw" / schema.DATA_FILE
    fetched.parent.mkdir(parents=True)
    shutil.copy(SHIPPED, fetched)
    settings = load_settings()
    assert locate.data_file(settings) == fetched
    assert locate.configured_files(settings)[-1] == project / schema.SHIPPED_FILE


def test_git_does_not_ignore_the_shipped_file() -> None:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    for name in (schema.SHIPPED_FILE, schema.SHIPPED_FILE.parent / "README.md"):
        ignored = subprocess.run([git, "check-ignore", "-q", str(name)], cwd=REPO, check=False)
        assert ignored.returncode == 1, f"a .gitignore hides {name}"
