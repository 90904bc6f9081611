"""compare's query parsing, sorting, best values and noise note, without a store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from credit_mlops.compare.columns import Column, run_columns
from credit_mlops.compare.query import Query, build_filter, check_sort, parse_since, parse_tags
from credit_mlops.compare.rows import best, noise_note, run_row, sort_rows
from credit_mlops.errors import InputError
from credit_mlops.tracking.records import RunRecord, VersionRecord

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)


@pytest.mark.parametrize(
    ("text", "ago_s"), [("30m", 1800), ("12h", 43200), ("7d", 604800), (" 2w ", 1209600)]
)
def test_durations(text: str, ago_s: int) -> None:
    assert parse_since(text, NOW) == NOW_MS - ago_s * 1000


def test_dates_are_utc_unless_said() -> None:
    assert parse_since("2026-11-01", NOW) == int(
        datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000
    )
    assert parse_since("2026-11-01T08:00+01:00", NOW) == int(
        datetime(2026, 11, 1, 7, 0, tzinfo=UTC).timestamp() * 1000
    )


def test_bad_since_says_both_forms() -> None:
    with pytest.raises(
        InputError, match=r"--since 'yesterday' is neither a duration .* nor a date"
    ):
        parse_since("yesterday", NOW)


def test_tags() -> None:
    assert parse_tags(["a=1", " b = x=y "]) == (("a", "1"), ("b", "x=y"))
    for bad in ("novalue", "=x"):
        with pytest.raises(InputError, match=f"--tag '{bad}' is not KEY=VALUE"):
            parse_tags([bad])


def test_filter_quotes_values_and_names_one_model() -> None:
    q = Query(
        experiment="e",
        filter="metrics.f1_test_mean > 0.5",
        tags=(("owner", "o'brien"),),
        since="1h",
        models=("xgboost",),
    )
    assert build_filter(q, NOW) == (
        'metrics.f1_test_mean > 0.5 and tags.`owner` = "o\'brien" and '
        f"attributes.start_time >= {NOW_MS - 3_600_000} and tags.model_name = 'xgboost'"
    )
    assert build_filter(Query(experiment="e", models=("a", "b"))) == ""


def test_sort_must_be_a_metric_name() -> None:
    check_sort("f1_test_mean")
    with pytest.raises(InputError, match="--sort 'f1; drop' is not a metric name"):
        check_sort("f1; drop")


def test_sorting_best_first_missing_last_and_costs_ascending() -> None:
    rows: list[dict[str, object]] = [{"m": 0.5}, {"m": None}, {"m": 0.9}]
    assert [r["m"] for r in sort_rows(rows, "m")] == [0.9, 0.5, None]
    costs: list[dict[str, object]] = [{"expected_cost": 3.0}, {"expected_cost": 1.0}]
    assert [r["expected_cost"] for r in sort_rows(costs, "expected_cost")] == [1.0, 3.0]
    stds: list[dict[str, object]] = [{"f1_test_std": 0.2}, {"f1_test_std": 0.1}]
    assert [r["f1_test_std"] for r in sort_rows(stds, "f1_test_std")] == [0.1, 0.2]


def test_best_marks_every_tie() -> None:
    cols = (
        Column("auc", "auc", better="max"),
        Column("cost", "cost", better="min"),
        Column("x", "x"),
    )
    rows: list[dict[str, object]] = [
        {"auc": 0.8, "cost": 2.0, "x": 9},
        {"auc": 0.8, "cost": 1.0, "x": 1},
        {"auc": None, "cost": 1.0, "x": 5},
    ]
    assert best(cols, rows) == {"auc": [0, 1], "cost": [1, 2]}


def _row(model: str, mean: float, std: float | None) -> dict[str, object]:
    return {"model": model, "roc_auc_test_mean": mean, "roc_auc_test_std": std}


def test_noise_note_when_the_gap_is_within_the_larger_std() -> None:
    rows = [_row("svm", 0.7765, 0.02), _row("xgboost", 0.7773, 0.0303)]
    assert noise_note(rows, "roc_auc_test_mean") == (
        "xgboost and svm differ by 0.0008 in roc_auc_test_mean, less than the larger std "
        "(0.0303): the difference is within noise"
    )


@pytest.mark.parametrize(
    "rows",
    [
        [_row("a", 0.9, 0.01), _row("b", 0.7, 0.02)],  # clear gap
        [_row("a", 0.9, 0.5)],  # one model
        [_row("a", 0.9, None), _row("b", 0.89, 0.02)],  # no std
    ],
)
def test_no_noise_note(rows: list[dict[str, object]]) -> None:
    assert noise_note(rows, "roc_auc_test_mean") is None


def test_run_row_reads_the_logged_names() -> None:
    run = RunRecord(
        run_id="r1",
        experiment_id="0",
        run_name="train_xgboost",
        status="FINISHED",
        start_time=NOW_MS,
        end_time=NOW_MS + 12_345,
        params={"smote__used": "True", "smote__method": "ADASYN", "version": "1.0.0"},
        metrics={"roc_auc_test_mean": 0.77, "roc_auc_test_std": 0.02, "f1_test_mean": 0.5},
        tags={"model_name": "xgboost"},
    )
    versions = [VersionRecord("xgboost", "3", "r1", "Production")]
    row = run_row(run, "roc_auc_test_mean", versions, {("xgboost", "3"): ["production"]})
    assert row["model"] == "xgboost"
    assert row["smote"] == "ADASYN"
    assert row["duration_s"] == 12.3
    assert row["registered"] == "xgboost v3"
    assert row["stage"] == "Production"
    assert row["aliases"] == "xgboost@production"
    assert row["model_version"] == "1.0.0"
    assert row["start_time"] == "2026-11-28 12:00:00"
    assert row["recall_test_mean"] is None
    assert {c.key for c in run_columns("roc_auc_test_mean")} >= set(row)


def test_the_cost_column_highlights_the_lowest_cost() -> None:
    cols = {c.key: c for c in run_columns("roc_auc_test_mean")}
    assert cols["expected_cost_test_mean"].better == "min"
    assert cols["f1_test_mean"].better == "max"
    rows: list[dict[str, object]] = [
        {"expected_cost_test_mean": 0.57, "f1_test_mean": 0.60},
        {"expected_cost_test_mean": 0.51, "f1_test_mean": 0.50},
    ]
    marked = best([cols["expected_cost_test_mean"], cols["f1_test_mean"]], rows)
    assert marked == {"expected_cost_test_mean": [1], "f1_test_mean": [0]}
