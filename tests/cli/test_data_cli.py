"""`credit data fetch` and `credit data validate` through the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.data import schema, tables

runner = CliRunner()


def test_fetch_into_the_project_data_dir(project: Path, archive_server: tuple[str, Path]) -> None:
    url, _ = archive_server
    result = runner.invoke(app, ["data", "fetch", "--url", url])
    assert result.exit_code == 0, result.output
    target = project / "data" / "raw" / schema.DATA_FILE
    assert target.is_file()
    assert f"✓ {target} is valid" in result.stderr
    # train then finds it without --data
    result = runner.invoke(
        app, ["train", "-m", "decision_tree", "--no-evaluate", "--mlflow-disable", "--json"]
    )
    assert result.exit_code == 0, result.output


def test_fetch_url_from_the_environment(
    project: Path, archive_server: tuple[str, Path], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CREDIT_DATA__URL", archive_server[0])
    monkeypatch.setenv("CREDIT_DATA__DIR", str(project / "elsewhere"))
    result = runner.invoke(app, ["data", "fetch", "-q"])
    assert result.exit_code == 0, result.output
    assert (project / "elsewhere" / schema.DATA_FILE).is_file()


@pytest.mark.parametrize(
    "url", ["http://u:s3cretpw@127.0.0.1:9/x.zip", "http://127.0.0.1:9/x.zip?token=s3cretpw"]
)
def test_a_credential_in_the_url_is_never_shown(project: Path, url: str) -> None:
    result = runner.invoke(app, ["data", "fetch", "--url", url])
    assert result.exit_code == 3
    assert "http://127.0.0.1:9/x.zip" in result.output and "is unreachable" in result.output
    assert "s3cret" not in result.output


def test_fetch_unreachable_exit_3_and_nothing_but_the_line(project: Path) -> None:
    """No bar is left behind a failed download, in a terminal or a file."""
    result = runner.invoke(app, ["data", "fetch", "--url", "http://127.0.0.1:9/x.zip"])
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: http://127.0.0.1:9/x.zip is unreachable (connection refused); check the "
        "address and the network, or pass --data PATH to a local copy"
    ]


def test_a_sha256_that_is_no_digest_is_refused_before_any_download(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_DATA__SHA256", "xyz")
    result = runner.invoke(app, ["data", "fetch", "--url", "http://127.0.0.1:9/x.zip"])
    assert result.exit_code == 2
    assert "env CREDIT_DATA__SHA256: key 'data.sha256': 'xyz' is not a SHA-256" in result.stderr


def test_train_without_data_says_how_to_get_it(project: Path) -> None:
    result = runner.invoke(app, ["train", "-m", "decision_tree"])
    assert result.exit_code == 2
    assert "run `credit data fetch`" in result.stderr and "--data PATH" in result.stderr


def test_validate_reports_counts_and_violations(
    tmp_path: Path, project: Path, synthetic_frame: pd.DataFrame
) -> None:
    good = tables.write_table(synthetic_frame, tmp_path / "good.asc")
    result = runner.invoke(app, ["data", "validate", str(good)])
    assert result.exit_code == 0
    assert "400 rows, 20 features, good 280 / bad 120" in result.stderr
    frame = synthetic_frame.copy()
    frame.loc[0, "wohn"] = 4
    bad = tables.write_table(frame, tmp_path / "bad.asc")
    result = runner.invoke(app, ["data", "validate", str(bad)])
    assert result.exit_code == 2
    assert "column 'wohn' has 1 codes outside 1–3: line 2 (4)" in result.stderr


@pytest.mark.parametrize("kind", ["file", "device", "unwritable"])
def test_a_data_dir_that_is_no_folder_is_said_before_any_download(
    project: Path, tmp_path: Path, kind: str
) -> None:
    """Never a traceback, never an unreachable mirror: the folder is checked first (nothing
    listens at the URL, so a download would fail otherwise)."""
    target = {
        "file": tmp_path / "real.csv",
        "device": Path("/dev/null"),
        "unwritable": Path("/proc/x"),
    }[kind]
    if kind == "file":
        target.write_text("x\n")
    result = runner.invoke(
        app,
        ["data", "fetch", "--url", "http://127.0.0.1:9/x.zip"],
        env={"CREDIT_DATA__DIR": str(target)},
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: data.dir (env CREDIT_DATA__DIR): ")
    assert "unreachable" not in lines[0]
