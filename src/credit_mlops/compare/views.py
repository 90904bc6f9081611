"""`credit compare`: which model is best, and how sure are we — as rows the CLI renders.

The store is asked for what a view needs: the default view reads runs newest first and stops
once every wanted model has its latest run; `--all-runs` pages through every match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from credit_mlops.errors import InputError
from credit_mlops.modeling.catalog import MODEL_KEYS

METRIC_COLUMNS = ("f1", "recall", "precision", "accuracy", "average_precision", "geometric_mean")
EVALUATION_KIND = "evaluation"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False
    better: str | None = None  # "max" or "min": the best value is highlighted
    priority: int = 5  # lower is dropped first on a narrow terminal


@dataclass(frozen=True)
class Comparison:
    view: str  # latest | all | runs | registry
    experiment: str | None
    tracking_uri: str
    considered: int
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    best: dict[str, list[int]] = field(default_factory=dict)  # column -> row indexes
    notes: tuple[str, ...] = ()
    sort: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "view": self.view,
            "experiment": self.experiment,
            "tracking_uri": self.tracking_uri,
            "runs_considered": self.considered,
            "sort": self.sort,
            "columns": [c.key for c in self.columns],
            "rows": list(self.rows),
            "best": self.best,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Query:
    experiment: str
    primary: str = "roc_auc_test_mean"
    sort: str | None = None
    models: tuple[str, ...] = ()
    filter: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    since: str | None = None
    top: int | None = None
    all_runs: bool = False
    page_size: int = 1000


def lower_is_better(metric: str) -> bool:
    return any(word in metric for word in ("cost", "brier", "_std", "loss"))


def parse_since(text: str, now: datetime | None = None) -> int:
    """'7d', '12h', '30m', '2w' or a date/datetime (ISO) -> epoch milliseconds."""
    now = now or datetime.now(UTC)
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text)
    if match:
        seconds = (
            int(match.group(1)) * {"m": 60, "h": 3600, "d": 86400, "w": 604800}[match.group(2)]
        )
        return int((now.timestamp() - seconds) * 1000)
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"--since '{text}' is neither a duration (7d, 12h, 30m, 2w) nor a date "
            "(2026-11-01 or 2026-11-01T08:00)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def parse_tags(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--tag '{item}' is not KEY=VALUE")
        out.append((key.strip(), value.strip()))
    return tuple(out)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "\\'") + "'"


def build_filter(q: Query) -> str:
    parts = []
    if q.filter:
        parts.append(q.filter)
    parts.extend(f"tags.`{k}` = {_quote(v)}" for k, v in q.tags)
    if q.since:
        parts.append(f"attributes.start_time >= {parse_since(q.since)}")
    if len(q.models) == 1:
        parts.append(f"tags.model_name = {_quote(q.models[0])}")
    return " and ".join(parts)


def _columns(primary: str, show_status: bool = False) -> tuple[Column, ...]:
    base = primary.removesuffix("_test_mean")
    label = base.replace("_", " ")
    short = {"average_precision": "avg prec", "geometric_mean": "G-mean"}
    # priority: on a narrow terminal the lowest go first
    priority = {
        "f1": 8,
        "recall": 7,
        "precision": 7,
        "average_precision": 6,
        "accuracy": 5,
        "geometric_mean": 5,
    }
    cols = [
        Column("model", "model", priority=10),
        Column("run_name", "run", priority=5),
        Column("status", "status", priority=8 if show_status else 2),
        Column("model_version", "version", priority=4),
        Column(primary, f"{label} ± std", numeric=True, better=_better(primary), priority=9),
        Column(f"{base}_test_std", f"{label} std", numeric=True, priority=0),
    ]
    for name in METRIC_COLUMNS:
        key = f"{name}_test_mean"
        if key != primary:
            cols.append(
                Column(
                    key, short.get(name, name), numeric=True, better="max", priority=priority[name]
                )
            )
    cols += [
        Column("smote", "SMOTE", priority=4),
        Column("duration_s", "train s", numeric=True, priority=3),
        Column("registered", "registered", priority=6),
        Column("stage", "stage", priority=6),
        Column("aliases", "aliases", priority=4),
        Column("run_id", "run id", priority=1),
        Column("start_time", "started (UTC)", priority=1),
    ]
    return tuple(cols)


def _better(metric: str) -> str:
    return "min" if lower_is_better(metric) else "max"


def run_row(
    run: Any,
    primary: str,
    versions: Sequence[Any] = (),
    aliases: dict[tuple[str, str], list[str]] | None = None,
) -> dict[str, Any]:
    info, data = run.info, run.data
    tags, params, metrics = data.tags, data.params, data.metrics
    base = primary.removesuffix("_test_mean")
    row: dict[str, Any] = {
        "model": tags.get("model_name") or params.get("model_key") or "?",
        "run_name": info.run_name,
        "status": info.status,
        "model_version": tags.get("model_version") or params.get("version") or "",
        primary: metrics.get(primary),
        f"{base}_test_std": metrics.get(f"{base}_test_std"),
    }
    for name in METRIC_COLUMNS:
        row.setdefault(f"{name}_test_mean", metrics.get(f"{name}_test_mean"))
    used = params.get("smote__used")
    row["smote"] = (
        params.get("smote__method", "?") if used == "True" else ("none" if used == "False" else "")
    )
    row["duration_s"] = (
        round((info.end_time - info.start_time) / 1000, 1)
        if info.end_time and info.start_time
        else None
    )
    row["registered"] = ", ".join(f"{v.name} v{v.version}" for v in versions)
    row["stage"] = ", ".join(
        sorted({v.current_stage for v in versions if v.current_stage and v.current_stage != "None"})
    )
    held = aliases or {}
    row["aliases"] = ", ".join(
        sorted(f"{v.name}@{a}" for v in versions for a in held.get((v.name, str(v.version)), []))
    )
    row["run_id"] = info.run_id
    row["start_time"] = (
        datetime.fromtimestamp(info.start_time / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        if info.start_time
        else ""
    )
    return row


def _is_evaluation(run: Any) -> bool:
    return run.data.tags.get("credit.kind") == EVALUATION_KIND


def _sort(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    present = [r for r in rows if isinstance(r.get(key), (int, float))]
    missing = [r for r in rows if not isinstance(r.get(key), (int, float))]
    present.sort(key=lambda r: r[key], reverse=not lower_is_better(key))
    return present + missing


def _best(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> dict[str, list[int]]:
    best: dict[str, list[int]] = {}
    for col in columns:
        if not col.better:
            continue
        values: list[tuple[int, float]] = [
            (i, r[col.key]) for i, r in enumerate(rows) if isinstance(r.get(col.key), (int, float))
        ]
        if not values:
            continue
        target = (max if col.better == "max" else min)(v for _, v in values)
        best[col.key] = [i for i, v in values if v == target]
    return best


def _noise_note(rows: Sequence[dict[str, Any]], primary: str) -> str | None:
    base = primary.removesuffix("_test_mean")
    scored = [r for r in rows if isinstance(r.get(primary), (int, float))]
    if len(scored) < 2:
        return None
    ranked = sorted(scored, key=lambda r: r[primary], reverse=not lower_is_better(primary))
    a, b = ranked[0], ranked[1]
    stds = [r.get(f"{base}_test_std") for r in (a, b)]
    if not all(isinstance(s, (int, float)) for s in stds):
        return None
    gap = abs(a[primary] - b[primary])
    if gap < max(stds):  # type: ignore[type-var]
        return (
            f"{a['model']} and {b['model']} differ by {gap:.4f} in {primary}, less than "
            f"the larger std ({max(stds):.4f}): the difference is within noise"  # type: ignore[type-var]
        )
    return None


def compare(tracker: Any, q: Query, shown_uri: str) -> Comparison:
    """The default view (latest run per model) or, with `all_runs`, every run."""
    if q.sort and not re.fullmatch(r"[A-Za-z0-9_.\-]+", q.sort):
        raise InputError(f"--sort '{q.sort}' is not a metric name")
    sort = q.sort or q.primary
    exp = tracker.find_experiment(q.experiment)
    flt = build_filter(q)
    wanted = tuple(q.models) or MODEL_KEYS
    order = ["attributes.start_time DESC"]
    considered = evaluations = 0
    notes: list[str] = []
    chosen: list[Any] = []
    if q.all_runs:
        for run in tracker.iter_runs([exp.experiment_id], flt, order, page_size=q.page_size):
            considered += 1
            if _is_evaluation(run):
                evaluations += 1
                continue
            if q.models and run.data.tags.get("model_name") not in q.models:
                continue
            chosen.append(run)
    else:
        latest: dict[str, Any] = {}
        # Newest first, a page at a time, until every wanted model has its latest run.
        # The newest runs usually hold every model's latest: start with a small page.
        first = 5 * len(wanted)
        for run in tracker.iter_runs(
            [exp.experiment_id], flt, order, page_size=q.page_size, first_page=first
        ):
            considered += 1
            if _is_evaluation(run):
                evaluations += 1
                continue
            key = run.data.tags.get("model_name") or run.data.params.get("model_key")
            if key and key not in latest and (not q.models or key in q.models):
                latest[key] = run
            if all(k in latest for k in wanted):
                break
        chosen = list(latest.values())
    if evaluations:
        notes.append(f"{evaluations} evaluation run(s) left out (see `credit evaluate`)")
    versions = tracker.versions_of_runs([r.info.run_id for r in chosen]) if chosen else []
    aliases = tracker.aliases({v.name for v in versions}) if versions else {}
    by_run: dict[str, list[Any]] = {}
    for v in versions:
        by_run.setdefault(v.run_id, []).append(v)
    rows = [run_row(r, q.primary, by_run.get(r.info.run_id, ()), aliases) for r in chosen]
    unfinished = [r for r in rows if r["status"] != "FINISHED"]
    if unfinished:
        notes.append(
            f"{len(unfinished)} run(s) not finished ("
            + ", ".join(sorted({r["status"] for r in unfinished}))
            + ") shown as such"
        )
    unscored = [r for r in rows if r.get(q.primary) is None]
    if unscored:
        notes.append(f"{len(unscored)} run(s) without {q.primary} (--no-evaluate or failed)")
    rows = _sort(rows, sort)
    if q.top is not None:
        rows = rows[: q.top]
    columns = _columns(q.primary, show_status=bool(unfinished))
    noise = _noise_note(rows, q.primary)
    if noise:
        notes.append(noise)
    return Comparison(
        view="all" if q.all_runs else "latest",
        experiment=q.experiment,
        tracking_uri=shown_uri,
        considered=considered,
        columns=columns,
        rows=tuple(rows),
        best=_best(columns, rows),
        notes=tuple(notes),
        sort=sort,
    )


def compare_runs(tracker: Any, run_ids: Sequence[str], shown_uri: str) -> Comparison:
    """Side by side: every metric, and only the params that differ between the runs."""
    from credit_mlops.lifecycle.registry import Registry

    registry = Registry(tracker)
    runs = [registry.run(rid) for rid in run_ids]
    names = [f"{r.data.tags.get('model_name', '?')} {r.info.run_id[:8]}" for r in runs]
    columns = [Column("field", "field", priority=10), Column("kind", "kind", priority=9)]
    columns += [
        Column(r.info.run_id, n, numeric=True, priority=8) for r, n in zip(runs, names, strict=True)
    ]
    rows: list[dict[str, Any]] = []
    metrics = sorted({m for r in runs for m in r.data.metrics})
    for m in metrics:
        row: dict[str, Any] = {"field": m, "kind": "metric"}
        row.update({r.info.run_id: r.data.metrics.get(m) for r in runs})
        rows.append(row)
    params = sorted({p for r in runs for p in r.data.params})
    same = 0
    for p in params:
        values = [r.data.params.get(p) for r in runs]
        if len(set(values)) == 1:
            same += 1
            continue
        row = {"field": p, "kind": "param"}
        row.update({r.info.run_id: r.data.params.get(p) for r in runs})
        rows.append(row)
    best: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if row["kind"] != "metric":
            continue
        scores = {rid: row[rid] for rid in run_ids if isinstance(row.get(rid), (int, float))}
        if len(scores) > 1:
            target = (min if lower_is_better(row["field"]) else max)(scores.values())
            for rid, v in scores.items():
                if v == target:
                    best.setdefault(rid, []).append(i)
    return Comparison(
        view="runs",
        experiment=None,
        tracking_uri=shown_uri,
        considered=len(runs),
        columns=tuple(columns),
        rows=tuple(rows),
        best=best,
        notes=(f"{same} param(s) equal in every run not shown",),
    )


def compare_registry(tracker: Any, q: Query, shown_uri: str) -> Comparison:
    """One row per registered model version, with the metrics of its source run."""
    versions = tracker.all_versions()
    if q.models:
        versions = [v for v in versions if v.name in q.models]
    aliases = tracker.aliases({v.name for v in versions}) if versions else {}
    run_ids = sorted({v.run_id for v in versions if v.run_id})
    with tracker.guard():
        experiments = [e.experiment_id for e in tracker.client.search_experiments()]
    runs: dict[str, Any] = {}
    for i in range(0, len(run_ids), 100):
        chunk = ", ".join(f"'{r}'" for r in run_ids[i : i + 100])
        for run in tracker.iter_runs(experiments, f"attributes.run_id IN ({chunk})"):
            runs[run.info.run_id] = run
    base = q.primary.removesuffix("_test_mean")
    columns = (
        Column("name", "registered model", priority=10),
        Column("version", "v", numeric=True, priority=10),
        Column("stage", "stage", priority=8),
        Column("aliases", "aliases", priority=7),
        Column("created", "created (UTC)", priority=4),
        Column("model", "model", priority=6),
        Column("model_version", "semver", priority=3),
        Column(
            q.primary,
            f"{base.replace('_', ' ')} ± std",
            numeric=True,
            better=_better(q.primary),
            priority=9,
        ),
        Column(f"{base}_test_std", "std", numeric=True, priority=0),
        Column("f1_test_mean", "f1", numeric=True, better="max", priority=6),
        Column("recall_test_mean", "recall", numeric=True, better="max", priority=5),
        Column("precision_test_mean", "precision", numeric=True, better="max", priority=5),
        Column("run_id", "source run", priority=2),
    )
    rows = []
    for v in sorted(versions, key=lambda v: (v.name, int(v.version))):
        run = runs.get(v.run_id)
        m = run.data.metrics if run else {}
        t = run.data.tags if run else {}
        rows.append(
            {
                "name": v.name,
                "version": int(v.version),
                "stage": v.current_stage or "None",
                "aliases": ", ".join(sorted(aliases.get((v.name, str(v.version)), []))),
                "created": datetime.fromtimestamp(v.creation_timestamp / 1000, UTC).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
                "model": t.get("model_name", ""),
                "model_version": t.get("model_version", ""),
                q.primary: m.get(q.primary),
                f"{base}_test_std": m.get(f"{base}_test_std"),
                "f1_test_mean": m.get("f1_test_mean"),
                "recall_test_mean": m.get("recall_test_mean"),
                "precision_test_mean": m.get("precision_test_mean"),
                "run_id": v.run_id,
            }
        )
    if q.sort:
        rows = _sort(rows, q.sort)
    if q.top is not None:
        rows = rows[: q.top]
    return Comparison(
        view="registry",
        experiment=None,
        tracking_uri=shown_uri,
        considered=len(versions),
        columns=columns,
        rows=tuple(rows),
        best=_best(columns, rows),
        sort=q.sort,
    )
