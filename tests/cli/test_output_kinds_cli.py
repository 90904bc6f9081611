"""An output file's extension decides its format when --format is not given, for every
command that writes a file; an extension naming a format the command does not write is
refused in one line, exit 2, before any work and with nothing written."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from tests.cli.test_hardening import applicants, one_error_line
from tests.conftest import credit, tracking_uri
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
FORMULA_RUN = "a,=1+2"


@pytest.fixture
def runs_store(store: Path) -> Path:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri(store))
    exp = client.create_experiment("credit-risk")
    for name, model, auc in [(FORMULA_RUN, "logistic_regression", 0.71), ("=1+2", "svm", 0.69)]:
        run = client.create_run(exp, run_name=name, tags={"model_name": model})
        client.log_metric(run.info.run_id, "roc_auc_test_mean", auc)
        client.set_terminated(run.info.run_id)
    return store


def test_compare_to_a_csv_file_writes_csv_through_the_escaping_layer(
    runs_store: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["compare", "--output", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "c.csv").read_text()
    assert "│" not in text and "┃" not in text  # no terminal table
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["run_name"] for r in rows} == {FORMULA_RUN, "'=1+2"}  # one cell, never a formula


def test_compare_follows_md_and_json_names(runs_store: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["compare", "-o", str(tmp_path / "c.md")]).exit_code == 0
    assert (tmp_path / "c.md").read_text().startswith("| model | run |")
    assert runner.invoke(app, ["compare", "-o", str(tmp_path / "c.json")]).exit_code == 0
    assert {r["run_name"] for r in json.loads((tmp_path / "c.json").read_text())["rows"]} == {
        FORMULA_RUN,
        "=1+2",
    }
    assert runner.invoke(app, ["compare", "-o", str(tmp_path / "c.txt")]).exit_code == 0
    assert "│" in (tmp_path / "c.txt").read_text()  # a name that says nothing: the table


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["compare", "-o", "cmp.xlsx"], ["credit compare does not write Excel", "cmp.csv"]),
        (["compare", "-o", "c.csv.gz"], ["gzip-compressed CSV"]),
        (["compare", "--format", "json", "-o", "c.csv"], ["--format is json", "c.json"]),
        (["data", "synth", "--rows", "5", "-o", "s.json"], ["does not write JSON", "s.parquet"]),
        (["data", "synth", "--rows", "5", "-o", "s.csv", "--format", "parquet"], ["s.parquet"]),
        (["data", "drift", "-n", "5", "-o", "d.xlsx"], ["credit data drift does not write"]),
    ],
)
def test_a_wrong_extension_is_refused_before_any_work(
    project: Path, args: list[str], needles: list[str]
) -> None:
    before = set(project.iterdir())
    one_error_line(runner.invoke(app, args), *needles)
    assert set(project.iterdir()) == before  # no store, no file


def test_predict_refuses_a_spreadsheet_name_before_the_store_is_opened(project: Path) -> None:
    given = applicants(project)
    for name in ("s.xlsx", "s.json", "s.parquet.gz"):
        line = one_error_line(runner.invoke(app, ["predict", "m/1", "-i", str(given), "-o", name]))
        assert f"--output {name}: credit predict does not write" in line
        assert "CSV (.csv, .csv.gz, .gz) or Parquet (.parquet, .pq)" in line
        assert not (project / name).exists()
    assert not (project / ".credit").exists()


def test_describe_writes_toml_only(project: Path, synthetic_file: Path) -> None:
    args = ["data", "describe", str(synthetic_file), "--target", "kredit", "--bad", "0"]
    one_error_line(runner.invoke(app, [*args, "-o", "d.json"]), "writes TOML (.toml)", "d.toml")
    assert not (project / "d.json").exists()
    assert runner.invoke(app, [*args, "-o", "d.toml"]).exit_code == 0


def test_synth_keeps_gzip_parquet_and_names_without_extension(project: Path) -> None:
    for name in ("s.csv.gz", "s.parquet", "plain"):
        assert runner.invoke(app, ["data", "synth", "--rows", "4", "-o", name]).exit_code == 0
    assert len(gzip.decompress((project / "s.csv.gz").read_bytes()).splitlines()) == 5
    assert (project / "s.parquet").read_bytes()[:4] == b"PAR1"
    assert len((project / "plain").read_text().splitlines()) == 5  # CSV, as before


def test_a_real_process_refuses_in_one_line(project: Path) -> None:
    done = credit(["compare", "--output", "cmp.xlsx"], project, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --output cmp.xlsx: "), lines
    assert not (project / "cmp.xlsx").exists() and not (project / ".credit").exists()
