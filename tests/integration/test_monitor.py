"""`credit monitor`, `credit data drift` and `credit report` on a real local MLflow store:
the reference logged at training, planted shifts found, none on unshifted data, the exit
code contract, the monitoring history, and the model card opened in a real Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.browser import render
from tests.integration.project import Project, Setup, copy_in_project

pytestmark = pytest.mark.integration
FAST = ["--cv-folds", "3", "--cv-repeats", "1"]
REFERENCE = "monitoring/reference.json"


@pytest.fixture(scope="module")
def project_setup() -> Setup:
    # A copy in the project: one test moves it away to play an older run without its data.
    drift = [
        ("data", "drift", "--rows", "1000", "--shift", shift, "-o", f"{shift}.csv")
        for shift in ("none", "younger", "longer", "purpose")
    ]
    train = ("train", "-m", "logistic_regression", *FAST)
    return Setup("monitor", data=copy_in_project, commands=(train, *drift))


def monitoring_runs(proj: Project) -> list[Any]:
    c = proj.client()
    exp = c.get_experiment_by_name("credit-risk")
    return c.search_runs([exp.experiment_id], "tags.run_type = 'monitoring'")


def monitor_json(proj: Project, data: str, *extra: str) -> dict[str, Any]:
    result = proj.invoke("monitor", "logistic_regression", "--data", data, "-f", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_training_logs_the_reference(proj: Project) -> None:
    from credit_mlops.monitor.reference import Reference

    c = proj.client()
    mv = c.get_model_version("logistic_regression", "1")
    ref = Reference.from_json(
        json.loads(Path(c.download_artifacts(mv.run_id, REFERENCE)).read_text())
    )
    kinds = {d.name: d.kind for d in ref.columns}
    assert kinds["alter"] == "numeric" and kinds["verw"] == "coded" and len(kinds) == 20
    assert ref.rows == 700 and ref.score.shares == pytest.approx([0.1] * 10, abs=0.02)
    threshold = c.get_run(mv.run_id).data.metrics["decision_threshold"]
    assert ref.threshold == pytest.approx(threshold)
    assert "out-of-fold" in ref.score_source


def test_unshifted_applicants_are_stable(proj: Project) -> None:
    out = monitor_json(proj, "none.csv")
    assert out["score_psi"] < 0.10
    assert out["worst"] == "stable", out["stability"]
    assert out["reference_origin"] == "logged at training"


@pytest.mark.parametrize(
    ("shift", "column"), [("younger", "alter"), ("longer", "laufzeit"), ("purpose", "verw")]
)
def test_each_planted_shift_is_found_first(proj: Project, shift: str, column: str) -> None:
    out = monitor_json(proj, f"{shift}.csv")
    rows = out["stability"]
    assert rows[0]["name"] == column and rows[0]["band"] == "major"
    assert [r["psi"] for r in rows] == sorted((r["psi"] for r in rows), reverse=True)
    others = [r for r in rows if r["name"] not in (column, "score")]
    assert all(r["band"] == "stable" for r in others), others


def test_fail_on_gives_exit_5_only_when_the_band_is_reached(proj: Project) -> None:
    failed = proj.invoke(
        "monitor", "logistic_regression", "--data", "younger.csv", "--fail-on", "major"
    )
    assert failed.exit_code == 5
    line = failed.stderr.strip().splitlines()[-1]
    assert line.startswith("error: major shift in alter") and "--fail-on major" in line
    assert "Traceback" not in failed.output
    assert proj.invoke("monitor", "logistic_regression", "--data", "younger.csv").exit_code == 0
    calm = proj.invoke(
        "monitor", "logistic_regression", "--data", "none.csv", "--fail-on", "moderate"
    )
    assert calm.exit_code == 0, calm.output


def test_formats_and_the_table(proj: Project) -> None:
    csv_out = proj.invoke("monitor", "logistic_regression", "--data", "longer.csv", "-f", "csv")
    header, first = csv_out.stdout.splitlines()[:2]
    assert header == "name,kind,psi,band,bins,largest_move" and first.startswith(
        "laufzeit,numeric,"
    )
    md = proj.invoke("monitor", "logistic_regression", "--data", "longer.csv", "-f", "markdown")
    assert md.stdout.splitlines()[2].startswith("| laufzeit | numeric |")
    table = proj.invoke("monitor", "logistic_regression", "--data", "longer.csv")
    assert "Population stability of logistic_regression v1" in table.stdout
    assert "reject rate at P(bad) ≥" in table.stdout


def test_monitoring_runs_make_a_history_and_tag_the_version(proj: Project) -> None:
    before = len(monitoring_runs(proj))
    out = monitor_json(proj, "purpose.csv")
    runs = monitoring_runs(proj)
    assert len(runs) == before + 1
    latest = max(runs, key=lambda r: r.info.start_time)
    assert latest.info.run_id == out["monitoring_run_id"]
    assert latest.data.tags["monitored_model"] == "logistic_regression"
    assert latest.data.tags["monitored_version"] == "1"
    assert latest.data.metrics["psi_score"] == pytest.approx(out["score_psi"])
    assert latest.data.metrics["psi_verw"] > 0.25
    arts = {a.path for a in proj.client().list_artifacts(latest.info.run_id, "monitoring")}
    assert "monitoring/score_shift.png" in arts
    mv = proj.client().get_model_version("logistic_regression", "1")
    assert float(mv.tags["monitor.psi_score"]) == pytest.approx(out["score_psi"], rel=1e-5)
    history = proj.invoke(
        "compare", "--all-runs", "--tag", "run_type=monitoring", "--format", "json"
    )
    assert history.exit_code == 0, history.output
    rows = json.loads(history.stdout)["rows"]
    assert len(rows) == len(runs)
    assert rows[0]["model"] == "logistic_regression v1" and rows[0]["worst"] == "verw"
    assert rows[0]["psi_score"] == pytest.approx(out["score_psi"])
    mixed = json.loads(proj.ok("compare", "--all-runs", "--format", "json").stdout)
    assert all(r["model"] != "?" for r in mixed["rows"])  # training runs only
    assert any("monitoring run(s) left out" in n for n in mixed["notes"])


def test_a_file_that_breaks_the_schema_is_refused_and_nothing_logged(proj: Project) -> None:
    bad = proj.root / "bad.csv"
    lines = (proj.root / "none.csv").read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("alter")] = "7"
    bad.write_text("\n".join([lines[0], ",".join(row), *lines[2:5]]) + "\n")
    before = len(monitoring_runs(proj))
    result = proj.invoke("monitor", "logistic_regression", "--data", str(bad))
    assert result.exit_code == 2
    assert (
        result.stderr.strip().startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    )
    assert "alter" in result.stderr and "line 2" in result.stderr
    assert len(monitoring_runs(proj)) == before


def test_an_older_run_recomputes_its_reference_or_says_how_to_get_the_data(
    proj: Project, tmp_path: Path
) -> None:
    proj.ok("train", "-m", "decision_tree", *FAST)
    c = proj.client()
    run_id = c.get_model_version("decision_tree", "1").run_id
    logged = Path(c.download_artifacts(run_id, REFERENCE))
    original = json.loads(logged.read_text())
    stored = next((proj.root / ".credit").rglob(f"{run_id}/artifacts/{REFERENCE}"))
    stored.unlink()  # a run from before references were logged
    out = json.loads(
        proj.invoke("monitor", "decision_tree", "--data", "none.csv", "-f", "json").stdout
    )
    assert out["reference_origin"] == "recomputed from the training rows"
    assert out["reference_rows"] == original["rows"]
    # the same folds and seed give the same reference as at training
    from credit_mlops.monitor.reference import Reference

    assert out["threshold"] == pytest.approx(Reference.from_json(original).threshold)
    before = len(monitoring_runs(proj))
    hidden = tmp_path / "hidden.asc"
    proj.data_path.rename(hidden)
    try:
        missing = proj.invoke("monitor", "decision_tree", "--data", "none.csv")
    finally:
        hidden.rename(proj.data_path)
    assert missing.exit_code == 2, missing.output
    line = missing.stderr.strip()
    assert line.startswith("error: run ") and len(line.splitlines()) == 1
    assert "has no monitoring reference" in line and "credit data fetch" in line
    assert len(monitoring_runs(proj)) == before


def test_an_output_folder_that_cannot_be_written_is_refused(proj: Project) -> None:
    before = len(monitoring_runs(proj))
    args = ["--data", "none.csv", "--output-dir", "/proc/credit-monitor"]
    result = proj.invoke("monitor", "logistic_regression", *args)
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(
        "error: --output-dir /proc/credit-monitor: cannot write"
    )
    assert len(monitoring_runs(proj)) == before


def test_drift_refuses_an_unknown_shift(proj: Project) -> None:
    result = proj.invoke("data", "drift", "--shift", "older", "-o", "x.csv")
    assert result.exit_code == 2
    assert "--shift: unknown shift 'older'; give none, younger" in result.stderr
    assert not (proj.root / "x.csv").exists()


def test_the_report_renders_in_a_real_browser_and_is_logged(proj: Project) -> None:
    proj.ok("promote", "logistic_regression", "1", "Production")
    monitor_json(proj, "younger.csv")
    out = proj.invoke("report", "logistic_regression", "--output", "card", "--json")
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    page = render(Path(result["html"]))
    titles = [text for tag, text in page.headings if tag == "h2"]
    assert titles == [
        "Identity",
        "Intended use and limits",
        "Data",
        "Training",
        "Performance",
        "Explanations",
        "Fairness",
        "Tuning",
        "Stability",
        "Promotion history",
        "Comparison with Production",
    ]
    assert len(page.tables) >= 10 and all(n > 0 for n in page.tables)
    assert len(page.images) == 5  # ROC, PR, calibration, confusion matrix, score shift
    for image in page.images:
        assert image.complete and image.decoded and image.natural_width > 0 and image.width > 0
    assert page.outside_requests == [] and page.scripts == 0
    text = Path(result["markdown"]).read_text()
    assert "credit explain logistic_regression/1" in text  # how to add the missing parts
    assert "This version is the Production version." in text
    assert "| alter |" in text  # the latest monitoring result
    arts = {a.path for a in proj.client().list_artifacts(result["run_id"], "report")}
    assert arts == {"report/model_card.html"}


def test_a_report_without_the_data_file_says_why_the_holdout_is_missing(
    proj: Project, tmp_path: Path
) -> None:
    hidden = tmp_path / "hidden.asc"
    proj.data_path.rename(hidden)
    try:
        out = proj.invoke("report", "logistic_regression", "--output", "card-nodata", "--json")
    finally:
        hidden.rename(proj.data_path)
    assert out.exit_code == 0, out.output
    text = Path(json.loads(out.stdout)["markdown"]).read_text()
    assert "could not be scored now" in text and "credit data fetch" in text
    assert "roc_curve.png" not in text  # no holdout pictures without the holdout


def test_a_report_folder_that_cannot_be_written_is_refused(proj: Project) -> None:
    run_id = proj.client().get_model_version("logistic_regression", "1").run_id
    before = {a.path for a in proj.client().list_artifacts(run_id)}
    result = proj.invoke("report", "logistic_regression", "--output", "/proc/credit-card")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: --output /proc/credit-card")
    assert {a.path for a in proj.client().list_artifacts(run_id)} == before
