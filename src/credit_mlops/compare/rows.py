"""Rows of the comparison views and the rules over them: sorting, the best value of each
column, and the note when the top two differ by less than their noise. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from credit_mlops.compare.columns import Column
from credit_mlops.modeling.metric_names import COMPARE_COLUMNS, lower_is_better, test_mean
from credit_mlops.tracking.records import RunRecord, VersionRecord

Row = dict[str, object]
EVALUATION_KIND = "evaluation"


def _utc(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def is_evaluation(run: RunRecord) -> bool:
    return run.tags.get("credit.kind") == EVALUATION_KIND


def is_tuning(run: RunRecord) -> bool:
    """`credit tune`'s parent and trial runs: searches, not trained models."""
    return run.tags.get("credit.kind") in ("tune", "tune_trial")


def model_key(run: RunRecord) -> str | None:
    return run.tags.get("model_name") or run.params.get("model_key")


def run_row(
    run: RunRecord,
    primary: str,
    versions: Sequence[VersionRecord] = (),
    aliases: Mapping[tuple[str, str], list[str]] | None = None,
) -> Row:
    tags, params, metrics = run.tags, run.params, run.metrics
    base = primary.removesuffix("_test_mean")
    row: Row = {
        "model": model_key(run) or "?",
        "run_name": run.run_name,
        "status": run.status,
        "model_version": tags.get("model_version") or params.get("version") or "",
        primary: metrics.get(primary),
        f"{base}_test_std": metrics.get(f"{base}_test_std"),
    }
    for name, _, _ in COMPARE_COLUMNS:
        row.setdefault(test_mean(name), metrics.get(test_mean(name)))
    used = params.get("smote__used")
    row["smote"] = (
        params.get("smote__method", "?") if used == "True" else ("none" if used == "False" else "")
    )
    row["duration_s"] = (
        round((run.end_time - run.start_time) / 1000, 1)
        if run.end_time and run.start_time
        else None
    )
    row["registered"] = ", ".join(f"{v.name} v{v.version}" for v in versions)
    row["stage"] = ", ".join(
        sorted({v.current_stage for v in versions if v.current_stage != "None"})
    )
    held = aliases or {}
    row["aliases"] = ", ".join(
        sorted(f"{v.name}@{a}" for v in versions for a in held.get((v.name, v.version), []))
    )
    row["run_id"] = run.run_id
    row["start_time"] = _utc(run.start_time) if run.start_time else ""
    return row


def version_row(
    v: VersionRecord,
    run: RunRecord | None,
    primary: str,
    aliases: Mapping[tuple[str, str], list[str]],
) -> Row:
    base = primary.removesuffix("_test_mean")
    m = run.metrics if run else {}
    t = run.tags if run else {}
    return {
        "name": v.name,
        "version": int(v.version),
        "stage": v.current_stage,
        "aliases": ", ".join(sorted(aliases.get((v.name, v.version), []))),
        "created": _utc(v.creation_timestamp),
        "model": t.get("model_name", ""),
        "model_version": t.get("model_version", ""),
        primary: m.get(primary),
        f"{base}_test_std": m.get(f"{base}_test_std"),
        "f1_test_mean": m.get("f1_test_mean"),
        "recall_test_mean": m.get("recall_test_mean"),
        "precision_test_mean": m.get("precision_test_mean"),
        "parity_gap": _tag_number(v.tags.get("fairness.max_parity_difference")),  # fairness
        "run_id": v.run_id,
    }


def _tag_number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # "n/a": fewer than two groups to compare


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def sort_rows(rows: list[Row], key: str) -> list[Row]:
    """Best first (lowest for costs, std, loss); rows without the value last."""
    present = [r for r in rows if _number(r.get(key)) is not None]
    missing = [r for r in rows if _number(r.get(key)) is None]
    present.sort(key=lambda r: _number(r[key]) or 0.0, reverse=not lower_is_better(key))
    return present + missing


def best(columns: Sequence[Column], rows: Sequence[Row]) -> dict[str, list[int]]:
    """Column key -> the indexes of the rows holding its best value."""
    out: dict[str, list[int]] = {}
    for col in columns:
        if not col.better:
            continue
        values = [(i, v) for i, r in enumerate(rows) if (v := _number(r.get(col.key))) is not None]
        if not values:
            continue
        target = (max if col.better == "max" else min)(v for _, v in values)
        out[col.key] = [i for i, v in values if v == target]
    return out


def noise_note(rows: Sequence[Row], primary: str) -> str | None:
    """Said when the top two differ by less than the larger of their std."""
    base = primary.removesuffix("_test_mean")
    scored = [r for r in rows if _number(r.get(primary)) is not None]
    if len(scored) < 2:
        return None
    ranked = sorted(
        scored, key=lambda r: _number(r[primary]) or 0.0, reverse=not lower_is_better(primary)
    )
    a, b = ranked[0], ranked[1]
    stds = [_number(r.get(f"{base}_test_std")) for r in (a, b)]
    if stds[0] is None or stds[1] is None:
        return None
    gap = abs((_number(a[primary]) or 0.0) - (_number(b[primary]) or 0.0))
    larger = max(stds[0], stds[1])
    if gap < larger:
        return (
            f"{a['model']} and {b['model']} differ by {gap:.4f} in {primary}, less than "
            f"the larger std ({larger:.4f}): the difference is within noise"
        )
    return None
