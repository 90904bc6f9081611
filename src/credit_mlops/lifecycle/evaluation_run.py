"""The name and tags of an evaluation run (`credit evaluate`, `explain`, `fairness`): one
definition, so every such run is kept out of comparisons and linked to its model the same way.
"""

from __future__ import annotations

from credit_mlops.lifecycle.resolve import ModelRef
from credit_mlops.tracking.records import RunRecord


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
