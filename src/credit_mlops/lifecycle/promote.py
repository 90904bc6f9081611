"""`credit promote`: move a version to a stage through the gate, archive what it replaces,
keep the stage aliases in step and record the promotion on the version's tags.

Stages are deprecated in MLflow 3 but still what the team's `models:/name/Production`
URIs use, so every stage move also moves the matching alias (`staging`, `production`).
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime

from credit_mlops.lifecycle import promotion as rules
from credit_mlops.lifecycle.promotion import Promotion
from credit_mlops.lifecycle.resolve import registered_model, versions
from credit_mlops.lifecycle.targets import canonical_stage
from credit_mlops.tracking.records import RunRecord
from credit_mlops.tracking.store import TrackingStore


def user() -> str:
    for var in ("CREDIT_USER", "USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def metric_of(store: TrackingStore, run_id: str, metric: str) -> float | None:
    return _metric(store.get_run(run_id), metric)


def _metric(run: RunRecord | None, metric: str) -> float | None:
    value = run.metrics.get(metric) if run else None
    return None if value is None else float(value)


def promote(
    store: TrackingStore,
    name: str,
    version: str,
    stage: str,
    *,
    metric: str,
    force: bool = False,
    keep_existing: bool = False,
) -> Promotion:
    to_stage = canonical_stage(stage)
    move = rules.plan(versions(store, name), name, version, to_stage, keep_existing=keep_existing)
    candidate_run = store.get_run(move.version.run_id)
    candidate = _metric(candidate_run, metric)
    incumbent = move.incumbent
    incumbent_value = metric_of(store, incumbent.run_id, metric) if incumbent else None
    rules.check_gate(
        name,
        version,
        to_stage,
        metric=metric,
        candidate=candidate,
        incumbent_version=incumbent.version if incumbent else None,
        incumbent_value=incumbent_value,
        force=force,
        known=list(candidate_run.metrics) if candidate_run else [],
    )
    record = Promotion(
        name=name,
        version=str(version),
        from_stage=move.from_stage,
        to_stage=to_stage,
        at=datetime.now(UTC).isoformat(timespec="microseconds"),
        by=user(),
        metric=metric,
        candidate=candidate,
        current=incumbent_value,
        current_version=incumbent.version if incumbent else None,
        forced=force,
        archived=tuple(v.version for v in move.replaced),
    )
    _apply(store, record, move, metric)
    return record


def _apply(store: TrackingStore, record: Promotion, move: rules.Plan, metric: str) -> None:
    name, version, to_stage = record.name, record.version, record.to_stage
    # MLflow's own archive_existing_versions compares an integer column with a string on
    # PostgreSQL and fails there; archiving the replaced versions one by one works on
    # every backend.
    store.transition_stage(name, version, to_stage)
    for old in move.replaced:
        store.transition_stage(name, old.version, "Archived")
    delete, alias = rules.alias_changes(registered_model(store, name).aliases, version, to_stage)
    for stale in delete:
        store.delete_alias(name, stale)
    if alias:
        store.set_alias(name, alias, version)
    _record(store, record)
    for old in move.replaced:
        _record(
            store,
            Promotion(
                name=name,
                version=old.version,
                from_stage=to_stage,
                to_stage="Archived",
                at=record.at,
                by=record.by,
                metric=metric,
                candidate=metric_of(store, old.run_id, metric),
                current=None,
                current_version=None,
                forced=False,
                note=f"replaced by v{version}",
            ),
        )


def _record(store: TrackingStore, p: Promotion) -> None:
    for key, value in rules.record_tags(p).items():
        store.set_version_tag(p.name, p.version, key, value)


def history(store: TrackingStore, name: str) -> list[Promotion]:
    return rules.history(name, versions(store, name))
