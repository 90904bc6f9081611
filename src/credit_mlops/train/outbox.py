"""A local folder that keeps what could not be logged, so nothing trained is lost.

Each entry holds the fitted pipeline, the params, metrics, tags and artifacts of one run.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from credit_mlops.tracking.tracker import RunSpec


def write_entry(
    outbox: Path,
    spec: RunSpec,
    *,
    experiment: str,
    reason: str,
    partial_run_id: str | None = None,
) -> Path:
    import joblib

    stamp = time.strftime("%Y%m%d_%H%M%S")
    entry = outbox / f"{stamp}_{spec.run_name}"
    entry.mkdir(parents=True, exist_ok=True)
    joblib.dump(spec.pipeline, entry / "model.joblib")
    spec.dataset.to_csv(entry / "dataset.csv", index=False)
    record = {
        "id": uuid.uuid4().hex,
        "partial_run_id": partial_run_id,
        "experiment": experiment,
        "run_name": spec.run_name,
        "created": time.time(),
        "reason": reason,
        "params": {k: str(v) for k, v in spec.params.items()},
        "metrics": spec.metrics,
        "tags": spec.tags,
        "artifacts": spec.artifacts,
        "dataset_source": spec.dataset_source,
        "dataset_name": spec.dataset_name,
        "register_as": spec.register_as,
        "version_tags": spec.version_tags,
    }
    (entry / "run.json").write_text(json.dumps(record, indent=2, default=str))
    return entry
