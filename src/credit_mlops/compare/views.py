"""`credit compare`: which model is best, and how sure are we — as rows the CLI renders.

The store is asked for what a view needs: the default view reads runs newest first and stops
once every wanted model has its latest run; `--all-runs` pages through every match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import islice

from credit_mlops.compare import monitoring
from credit_mlops.compare.columns import Column, registry_columns, run_columns
from credit_mlops.compare.ended import end_gone
from credit_mlops.compare.noise import comparison_note
from credit_mlops.compare.query import Query, build_filter, check_sort
from credit_mlops.compare.rows import (
    Row,
    best,
    is_evaluation,
    is_tuning,
    model_key,
    run_row,
    sort_rows,
    version_row,
)
from credit_mlops.compare.sort_keys import check_sort_metric
from credit_mlops.errors import DeletedError, NotFoundError
from credit_mlops.modeling.catalog import ALL_KEYS
from credit_mlops.modeling.metric_names import lower_is_better
from credit_mlops.tracking.queries import tag_equals
from credit_mlops.tracking.records import RunRecord, VersionRecord
from credit_mlops.tracking.store import TrackingStore

NEWEST_FIRST = ("attributes.start_time DESC",)


@dataclass(frozen=True)
class Comparison:
    view: str  # latest | all | runs | registry
    experiment: str | None
    tracking_uri: str
    considered: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    best: dict[str, list[int]] = field(default_factory=dict)  # column -> row indexes
    notes: tuple[str, ...] = ()
    sort: str | None = None
    ended: str = ""  # runs of a gone process this compare ended (or could not): for stderr

    def to_json(self) -> dict[str, object]:
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


@dataclass
class _Picked:
    runs: list[RunRecord] = field(default_factory=list)
    considered: int = 0
    evaluations: int = 0
    running: list[RunRecord] = field(default_factory=list)  # read as RUNNING, any kind


def _pick_all(store: TrackingStore, exp_id: str, q: Query, flt: str) -> _Picked:
    picked = _Picked()
    for run in store.iter_runs([exp_id], flt, NEWEST_FIRST, page_size=q.page_size):
        picked.considered += 1
        if run.status == "RUNNING":
            picked.running.append(run)
        if is_evaluation(run):
            picked.evaluations += 1
        elif is_tuning(run):
            continue
        elif not q.models or run.tags.get("model_name") in q.models:
            picked.runs.append(run)
    return picked


def _pick_latest(store: TrackingStore, exp_id: str, q: Query, flt: str) -> _Picked:
    """The newest run of each wanted model: one small page of the newest runs usually holds
    them all; a model missing from it is asked for on its own (newest first, stop at the
    first), so a key that was never trained costs one short query, not a read of every run.
    """
    picked = _Picked()
    wanted = tuple(q.models) or ALL_KEYS
    latest: dict[str, RunRecord] = {}
    first = 5 * len(wanted)
    seen: set[str] = set()
    pages = store.iter_runs([exp_id], flt, NEWEST_FIRST, page_size=first, first_page=first)
    for run in islice(pages, first):
        seen.add(run.run_id)
        _consider(picked, latest, run, tuple(q.models))
        if all(k in latest for k in wanted):
            break
    missing = [k for k in wanted if k not in latest] if len(seen) == first else []
    for key in missing:  # the first page did not hold every run: ask for each model alone
        own = f"{flt} and {tag_equals('model_name', key)}" if flt else tag_equals("model_name", key)
        for run in store.iter_runs(
            [exp_id], own, NEWEST_FIRST, page_size=q.page_size, first_page=5
        ):
            if run.run_id not in seen and _consider(picked, latest, run, (key,)):
                break
    picked.runs = sorted(latest.values(), key=lambda r: -(r.start_time or 0))
    return picked


def _consider(
    picked: _Picked, latest: dict[str, RunRecord], run: RunRecord, only: tuple[str, ...]
) -> bool:
    """Count the run; keep it if it is the first seen of its model (True then), of any
    model or, when `only` names some, of those."""
    picked.considered += 1
    if run.status == "RUNNING":
        picked.running.append(run)
    if is_evaluation(run):
        picked.evaluations += 1
        return False
    key = model_key(run)
    if not key or key in latest or (only and key not in only):
        return False
    latest[key] = run
    return True


def _rows_with_registry(store: TrackingStore, runs: list[RunRecord], primary: str) -> list[Row]:
    versions = store.versions_of_runs([r.run_id for r in runs]) if runs else []
    aliases = store.aliases({v.name for v in versions}) if versions else {}
    by_run: dict[str, list[VersionRecord]] = {}
    for v in versions:
        by_run.setdefault(v.run_id, []).append(v)
    return [run_row(r, primary, by_run.get(r.run_id, ()), aliases) for r in runs]


def _notes(picked: _Picked, rows: list[Row], primary: str) -> list[str]:
    notes: list[str] = []
    if picked.evaluations:
        notes.append(f"{picked.evaluations} evaluation run(s) left out (see `credit evaluate`)")
    unfinished = [r for r in rows if r["status"] != "FINISHED"]
    if unfinished:
        notes.append(
            f"{len(unfinished)} run(s) not finished ("
            + ", ".join(sorted({str(r["status"]) for r in unfinished}))
            + ") shown as such"
        )
    unscored = [r for r in rows if r.get(primary) is None]
    if unscored:
        notes.append(f"{len(unscored)} run(s) without {primary} (--no-evaluate or failed)")
    return notes


def compare(store: TrackingStore, q: Query, shown_uri: str) -> Comparison:
    """The default view (latest run per model) or, with `all_runs`, every run."""
    check_sort(q.sort)
    sort = q.sort or q.primary
    try:
        exp = store.find_experiment(q.experiment)
    except NotFoundError as exc:
        if q.experiment_given or isinstance(exc, DeletedError):
            raise
        check_sort_metric(q.sort, (), what="the runs")
        return nothing_yet(q, shown_uri)  # the profile's experiment: nothing trained yet
    flt = build_filter(q)
    pick = _pick_all if q.all_runs else _pick_latest
    picked = pick(store, exp.experiment_id, q, flt)
    statuses, ended = end_gone(store, picked.running)
    picked.runs = [replace(r, status=statuses.get(r.run_id, r.status)) for r in picked.runs]
    if picked.runs and all(monitoring.is_monitoring(r) for r in picked.runs):
        history = monitoring.rows(picked.runs)[: q.top]
        return Comparison(
            "all",
            q.experiment,
            shown_uri,
            picked.considered,
            monitoring.columns(),
            tuple(history),
            notes=("monitoring runs (credit monitor), newest first",),
            ended=ended,
        )
    watched = [r for r in picked.runs if monitoring.is_monitoring(r)]
    picked.runs = [r for r in picked.runs if not monitoring.is_monitoring(r)]
    seen = {m for r in picked.runs for m in r.metrics}
    check_sort_metric(q.sort, seen, what="the runs")
    if q.sort is None:  # the order the settings ask for (the default is a trained metric)
        check_sort_metric(q.primary, seen, what="the runs", named=q.primary_from)
    rows = _rows_with_registry(store, picked.runs, q.primary)
    notes = _notes(picked, rows, q.primary)
    if watched:
        notes.append(f"{len(watched)} {monitoring.LEFT_OUT}")
    show_status = any(r["status"] != "FINISHED" for r in rows)
    rows = sort_rows(rows, sort)
    if q.top is not None:
        rows = rows[: q.top]
    columns = run_columns(q.primary, show_status=show_status)
    noise = comparison_note(store, rows, {r.run_id: r for r in picked.runs}, q.primary)
    if noise:
        notes.append(noise)
    return Comparison(
        view="all" if q.all_runs else "latest",
        experiment=q.experiment,
        tracking_uri=shown_uri,
        considered=picked.considered,
        columns=columns,
        rows=tuple(rows),
        best=best(columns, rows),
        notes=tuple(notes),
        sort=sort,
        ended=ended,
    )


def nothing_yet(q: Query, shown_uri: str) -> Comparison:
    """The profile's experiment before anything was trained into it: an empty view."""
    return Comparison(
        view="all" if q.all_runs else "latest",
        experiment=q.experiment,
        tracking_uri=shown_uri,
        considered=0,
        columns=run_columns(q.primary, show_status=False),
        rows=(),
        sort=q.sort or q.primary,
    )


def compare_runs(store: TrackingStore, run_ids: Sequence[str], shown_uri: str) -> Comparison:
    """Side by side: every metric, and only the params that differ between the runs."""
    from credit_mlops.lifecycle.resolve import get_run

    runs = [get_run(store, rid) for rid in run_ids]
    _, ended = end_gone(store, runs)
    names = [f"{r.tags.get('model_name', '?')} {r.run_id[:8]}" for r in runs]
    columns = [Column("field", "field", priority=10), Column("kind", "kind", priority=9)]
    columns += [
        Column(r.run_id, n, numeric=True, priority=8) for r, n in zip(runs, names, strict=True)
    ]
    rows: list[Row] = []
    for m in sorted({m for r in runs for m in r.metrics}):
        rows.append({"field": m, "kind": "metric", **{r.run_id: r.metrics.get(m) for r in runs}})
    same = 0
    for p in sorted({p for r in runs for p in r.params}):
        values = [r.params.get(p) for r in runs]
        if len(set(values)) == 1:
            same += 1
            continue
        rows.append({"field": p, "kind": "param", **{r.run_id: r.params.get(p) for r in runs}})
    return Comparison(
        view="runs",
        experiment=None,
        tracking_uri=shown_uri,
        considered=len(runs),
        columns=tuple(columns),
        rows=tuple(rows),
        best=_best_per_run(rows, run_ids),
        notes=(f"{same} param(s) equal in every run not shown",),
        ended=ended,
    )


def _best_per_run(rows: Sequence[Row], run_ids: Sequence[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if row["kind"] != "metric":
            continue
        scores = {rid: float(v) for rid in run_ids if isinstance(v := row.get(rid), (int, float))}
        if len(scores) > 1:
            target = (min if lower_is_better(str(row["field"])) else max)(scores.values())
            for rid, v in scores.items():
                if v == target:
                    out.setdefault(rid, []).append(i)
    return out


def compare_registry(store: TrackingStore, q: Query, shown_uri: str) -> Comparison:
    """One row per registered model version, with the metrics of its source run."""
    versions = store.all_versions()
    if q.models:
        versions = [v for v in versions if v.name in q.models]
    aliases = store.aliases({v.name for v in versions}) if versions else {}
    run_ids = sorted({v.run_id for v in versions if v.run_id})
    runs = store.runs_by_id(store.experiment_ids(), run_ids) if run_ids else {}
    ordered = sorted(versions, key=lambda v: (v.name, int(v.version)))
    rows = [version_row(v, runs.get(v.run_id), q.primary, aliases) for v in ordered]
    columns = registry_columns(q.primary)
    numeric = [c.key for c in columns if c.numeric and c.key != "version"]
    check_sort_metric(q.sort, numeric, what="registered versions", trained=False)
    if q.sort:
        rows = sort_rows(rows, q.sort)
    if q.top is not None:
        rows = rows[: q.top]
    return Comparison(
        view="registry",
        experiment=None,
        tracking_uri=shown_uri,
        considered=len(versions),
        columns=columns,
        rows=tuple(rows),
        best=best(columns, rows),
        sort=q.sort,
    )
