"""Every output format escapes what it shows, end to end: hostile run and model names in a
real store, read back through `credit compare` in each format; the prediction writer's
CSV; the Markdown model card rendered by a CommonMark renderer and opened in Chromium."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from tests.conftest import credit, tracking_uri
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.data.writers import TableWriter

runner = CliRunner()
RUN_NAME = "<img src=x onerror=alert(1)>\n# injected"
MODEL = '=HYPERLINK("http://evil","x")'


@pytest.fixture
def hostile_store(store: Path) -> Path:
    """A run whose name and model tag a hostile user chose (plain MLflow allows both)."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri(store))
    exp = client.create_experiment("credit-risk")
    for name, model, auc in [(RUN_NAME, MODEL, 0.71), ("plain | run", "@SUM(A1)", 0.69)]:
        run = client.create_run(exp, run_name=name, tags={"model_name": model})
        client.log_metric(run.info.run_id, "roc_auc_test_mean", auc)
        client.set_terminated(run.info.run_id)
    return store


def test_compare_markdown_keeps_one_row_per_run(hostile_store: Path) -> None:
    result = runner.invoke(app, ["compare", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    tokens = MarkdownIt("commonmark").enable("table").parse(result.stdout)
    assert [t.type for t in tokens].count("tr_open") == 3  # header + two runs
    assert not [t for t in tokens if t.type.startswith(("heading", "html"))]
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(result.stdout)
    assert "<img" not in html and "<h1>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; # injected" in html


def test_compare_csv_neutralises_formulas_and_reads_back(hostile_store: Path) -> None:
    result = runner.invoke(app, ["compare", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(r["model"] for r in rows) == ['\'=HYPERLINK("http://evil","x")', "'@SUM(A1)"]
    assert {r["run_name"] for r in rows} == {RUN_NAME, "plain | run"}
    assert {r["roc_auc_test_mean"] for r in rows} == {"0.71", "0.69"}  # numbers stay numbers


def test_compare_json_is_strict_and_exact_in_a_real_process(hostile_store: Path) -> None:
    result = credit(["compare", "--format", "json"], hostile_store.parent, timeout=120)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(c))
    assert {r["run_name"] for r in payload["rows"]} == {RUN_NAME, "plain | run"}
    assert {r["model"] for r in payload["rows"]} == {MODEL, "@SUM(A1)"}


@pytest.mark.parametrize("fmt", ["csv", "csv.gz"])
def test_prediction_ids_and_id_column_are_neutralised(tmp_path: Path, fmt: str) -> None:
    import gzip

    out = tmp_path / f"scores.{fmt}"
    frame = pd.DataFrame(
        {"=id": ['=HYPERLINK("x")', "+1+1", "@SUM(A1)", "A-1", "a,b"], "p_bad": [0.1] * 5}
    )
    frame["decision"] = ["accept", "reject", "accept", "accept", "reject"]
    with TableWriter(out, "csv") as writer:
        writer.write(frame)
    raw = gzip.decompress(out.read_bytes()).decode() if fmt.endswith("gz") else out.read_text()
    back = list(csv.reader(io.StringIO(raw)))
    assert back[0] == ["'=id", "p_bad", "decision"]
    assert [r[0] for r in back[1:]] == ['\'=HYPERLINK("x")', "'+1+1", "'@SUM(A1)", "A-1", "a,b"]
    assert {r[1] for r in back[1:]} == {"0.1"}


def test_the_terminal_table_obeys_no_sequence_from_a_name(store: Path) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri(store))
    exp = client.create_experiment("credit-risk")
    name = "\x1b]8;;http://evil\x1b\\[link=http://evil]click[/link]\x1b[2J"
    run = client.create_run(exp, run_name=name, tags={"model_name": "[red]m[/red]\x07"})
    client.log_metric(run.info.run_id, "roc_auc_test_mean", 0.7)
    client.set_terminated(run.info.run_id)
    result = runner.invoke(app, ["compare"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "[link=http://evil]click[/link]" in result.stdout  # markup shown, not obeyed
    assert "[red]m[/red]\\x07" in result.stdout


def test_a_line_break_in_a_name_draws_no_row_of_its_own(hostile_store: Path) -> None:
    result = runner.invoke(app, ["compare"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "\\n# injected" in result.stdout  # shown as text, on the run's own line
    assert not any(
        line.lstrip("│ ").startswith("# injected") for line in result.stdout.splitlines()
    )


def test_the_console_keeps_its_own_styles_and_shows_a_names_sequences() -> None:
    from rich.table import Table

    from credit_mlops.cli.render.console import _safe_console, escape

    buf = io.StringIO()
    console = _safe_console()(
        file=buf, force_terminal=True, color_system="standard", width=200, highlight=False
    )
    evil = "run\x1b]8;;http://evil\x07click\x1b[2J\x9b31m"
    console.print(f"[bold]registered[/] {evil}", markup=False)  # a summary line
    console.print(f"[bold]registered[/] {escape(evil)}")  # markup on, name escaped
    table = Table()
    table.add_column("run")
    table.add_row(evil)  # a table cell, not escaped by its writer
    console.print(table)
    shown = buf.getvalue()
    assert "\x1b[1m" in shown  # rich's own bold is still rendered
    assert "\x1b]8" not in shown and "\x07" not in shown and "\x1b[2J" not in shown
    assert "\x9b" not in shown
    assert shown.count("\\x1b]8;;http://evil") == 3 and shown.count("\\x1b[2J\\x9b31m") == 3


def test_a_reordering_name_read_back_is_shown_in_every_format(store: Path) -> None:
    """A run renamed by plain MLflow with a direction override and a zero-width space: the
    table, CSV and Markdown show them as escapes, as a typed name would be refused."""
    from mlflow import MlflowClient

    from credit_mlops.names import invisible

    client = MlflowClient(tracking_uri(store))
    exp = client.create_experiment("credit-risk")
    name = "lr\u202eevil\u200bx https://evil.com @team"
    run = client.create_run(exp, run_name=name, tags={"model_name": "m"})
    client.log_metric(run.info.run_id, "roc_auc_test_mean", 0.7)
    client.set_terminated(run.info.run_id)
    for fmt in ("table", "csv", "markdown"):
        result = runner.invoke(app, ["compare", "--format", fmt], env={"COLUMNS": "400"})
        assert result.exit_code == 0, result.output
        assert not invisible(result.stdout.replace("\n", "")), fmt
        assert "\\u202e" in result.stdout and "\\u200b" in result.stdout, fmt
    gfm = MarkdownIt("gfm-like")
    gfm.linkify.set({"fuzzy_link": True, "fuzzy_email": True})
    assert "<a " not in gfm.render(result.stdout)


def test_an_error_is_one_line_whatever_the_value(tmp_path: Path) -> None:
    """A line break in a value the error names is shown as \\n: no second line to forge."""
    result = credit(["compare", "--sort", "a\nerror: forged"], cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "a\\nerror: forged" in lines[0]


MARKUP_NAME = "A[l]B [link=http://evil]click[/link] [bold red]X"


def test_the_train_summary_shows_a_run_name_as_typed(project: Path, synthetic_file: Path) -> None:
    """Rich markup in a name the user gave is text in the summary panel: no hidden link,
    no vanished `[l]`, no style the user chose."""
    args = ["train", "--data", str(synthetic_file), "-m", "logistic_regression"]
    args += ["--cv-folds", "2", "--cv-repeats", "1", "--no-register"]
    result = runner.invoke(app, [*args, "--mlflow-run-name", MARKUP_NAME], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert MARKUP_NAME in result.stdout


def test_the_consoles_read_no_markup_and_styles_are_asked_for() -> None:
    from credit_mlops.cli.render.console import _safe_console, escape, styled

    buf = io.StringIO()
    console = _safe_console()(
        file=buf,
        force_terminal=True,
        color_system="standard",
        width=400,
        highlight=False,
        markup=False,
    )
    console.print(f"{MARKUP_NAME} | ", styled(f"[bold]ours[/] {escape(MARKUP_NAME)}"))
    shown = buf.getvalue()
    assert shown.count(MARKUP_NAME) == 2 and "\x1b[1mours" in shown
    assert "\x1b]8" not in shown  # no hyperlink was made


def test_out_and_err_are_consoles_without_markup() -> None:
    from credit_mlops.cli.render.console import err, out

    assert not out()._markup and not err()._markup
