"""The evaluation run of `credit evaluate`, `explain` and `fairness`: its name, its tags and
its logging, one definition, so every such run is kept out of comparisons and linked to its
model the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from credit_mlops.lifecycle.evaluation_target import EvaluationTarget, Rows
from credit_mlops.lifecycle.resolve import ModelRef
from credit_mlops.tracking.records import EvaluationRun, RunRecord
from credit_mlops.tracking.store import TrackingStore


def evaluation_run_identity(
    verb: str, ref: ModelRef, run: RunRecord, *, scope: str, source: str
) -> tuple[str, dict[str, str]]:
    """(run name, tags) of an evaluation run made by `credit <verb>` on `ref`'s model."""
    tags = {
        "credit.kind": "evaluation",  # kept out of comparisons
        "credit.source_run_id": ref.run_id,
        "credit.scope": scope,
        "credit.data": source,
        # not `model_name`: comparisons pick training runs by that tag
        "credit.model_key": run.tags.get("model_name", ""),
        "script": f"credit {verb}",
    }
    if ref.name and ref.version:
        tags.update({"credit.evaluated_model": ref.name, "credit.evaluated_version": ref.version})
    name = f"{verb}_{ref.name}_v{ref.version}" if ref.name else f"{verb}_{ref.run_id[:8]}"
    return name, tags


def log_evaluation(
    store: TrackingStore,
    verb: str,
    target: EvaluationTarget,
    rows: Rows,
    *,
    metrics: Mapping[str, float],
    folder: Path,
    version_tags: Mapping[str, str],
    run_id_tag: str,
) -> str:
    """Log the run beside the training run; on a registered version, set `version_tags` and
    `run_id_tag` (the new run's id). Returns that id."""
    ref, run = target.ref, target.run
    name, tags = evaluation_run_identity(verb, ref, run, scope=rows.scope, source=rows.source)
    rid = store.log_evaluation_run(
        EvaluationRun(run.experiment_id, name, tags, metrics, folder=str(folder))
    )
    if ref.name and ref.version:
        for key, value in version_tags.items():
            store.set_version_tag(ref.name, ref.version, key, value)
        store.set_version_tag(ref.name, ref.version, run_id_tag, rid)
    return rid
