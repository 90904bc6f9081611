"""`credit sync`: upload what the outbox kept while the tracking server was away.

Idempotent: each entry carries an id, set as a tag on the run it becomes. A run already
complete on the server is not created again; one left incomplete by an earlier sync is
deleted and redone. An entry is removed only after the server confirmed all of it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credit_mlops.errors import TrackingError

OUTBOX_TAG = "credit.outbox_id"
COMPLETE_TAG = "credit.sync_complete"
SYNCED_TAG = "credit.synced"


@dataclass(frozen=True)
class SyncResult:
    entry: str
    run_name: str
    status: str  # synced | already synced | failed
    run_id: str | None = None
    registered: str | None = None
    error: str | None = None
    exit_code: int = 0


def entries(outbox: Path) -> list[Path]:
    if not outbox.is_dir():
        return []
    return sorted(p for p in outbox.iterdir() if (p / "run.json").is_file())


def sync(
    tracker: Any, outbox: Path, progress: Callable[[str], None] | None = None
) -> list[SyncResult]:
    results = []
    for entry in entries(outbox):
        try:
            record = json.loads((entry / "run.json").read_text())
            name = record.get("run_name", entry.name)
        except (OSError, json.JSONDecodeError) as exc:
            results.append(
                SyncResult(
                    entry.name, entry.name, "failed", error=f"unreadable entry: {exc}", exit_code=2
                )
            )
            continue
        try:
            result = _sync_entry(tracker, entry, record)
        except TrackingError as exc:
            result = SyncResult(entry.name, name, "failed", error=str(exc), exit_code=exc.exit_code)
        except KeyError as exc:
            result = SyncResult(
                entry.name,
                name,
                "failed",
                error=f"entry lacks {exc}; it was not written by credit train",
                exit_code=2,
            )
        else:
            shutil.rmtree(entry)  # only once the server has all of it
        results.append(result)
        if progress:
            progress(entry.name)
    return results


def _sync_entry(tracker: Any, entry: Path, record: dict[str, Any]) -> SyncResult:
    client = tracker.client
    exp_id = tracker.experiment_id()
    partial = record.get("partial_run_id")
    if partial:
        _end_as_failed(tracker, partial)
    with tracker.guard():
        found = client.search_runs(
            [exp_id], filter_string=f"tags.`{OUTBOX_TAG}` = '{record['id']}'", max_results=100
        )
    complete = [r for r in found if r.data.tags.get(COMPLETE_TAG) == "true"]
    with tracker.guard():
        for run in found:
            if run not in complete:
                client.delete_run(run.info.run_id)  # a half-done earlier sync: redo it
    if complete:
        run = complete[0]
        registered = _register_once(tracker, run.info.run_id, record)
        return SyncResult(
            entry.name, record["run_name"], "already synced", run.info.run_id, registered
        )

    spec = _spec(entry, record)
    created = int(record["created"] * 1000)
    tracked = tracker.log_training_run(spec, start_time=created, end_time=created + 1)
    with tracker.guard():
        client.set_tag(tracked.run_id, COMPLETE_TAG, "true")
    registered = _register_once(
        tracker, tracked.run_id, record, tracked.model_uri, tracked.model_id
    )
    return SyncResult(entry.name, record["run_name"], "synced", tracked.run_id, registered)


def _end_as_failed(tracker: Any, run_id: str) -> None:
    from mlflow.exceptions import MlflowException

    with tracker.guard():
        try:
            run = tracker.client.get_run(run_id)
        except MlflowException as exc:
            if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
                return
            raise
        if run.info.status == "RUNNING":
            tracker.client.set_terminated(run_id, "FAILED")
            tracker.client.set_tag(run_id, "credit.superseded_by", "outbox sync")


def _register_once(
    tracker: Any,
    run_id: str,
    record: dict[str, Any],
    model_uri: str | None = None,
    model_id: str | None = None,
) -> str | None:
    name = record.get("register_as")
    if not name:
        return None
    for v in tracker.versions_of_runs([run_id]):
        if v.name == name:
            return f"{name} v{v.version}"
    if model_uri is None:
        with tracker.guard():
            run = tracker.client.get_run(run_id)
            logged = tracker.client.search_logged_models(
                experiment_ids=[run.info.experiment_id],
                filter_string=f"source_run_id = '{run_id}'",
            )
        model = next(m for m in logged if m.name == "model")
        model_uri, model_id = f"models:/{model.model_id}", model.model_id
    mv = tracker.register_model(name, model_uri, run_id, model_id, record["version_tags"])
    return f"{name} v{mv.version}"


def _spec(entry: Path, record: dict[str, Any]) -> Any:
    import joblib
    import pandas as pd

    from credit_mlops.data.schema import FEATURES
    from credit_mlops.tracking.tracker import RunSpec

    pipeline = joblib.load(entry / "model.joblib")  # written by us in write_entry
    dataset = pd.read_csv(entry / "dataset.csv")
    model = pipeline.named_steps["model"]
    booster = model.get_booster() if record["params"].get("model_key") == "xgboost" else None
    features = [c for c in dataset.columns if c in FEATURES] or list(dataset.columns[:-1])
    return RunSpec(
        run_name=record["run_name"],
        params=record["params"],
        metrics=record["metrics"],
        tags={
            **record["tags"],
            OUTBOX_TAG: record["id"],
            SYNCED_TAG: "true",
            "credit.synced_reason": record["reason"][:500],
        },
        pipeline=pipeline,
        input_example=dataset[features].head(5),
        dataset=dataset,
        dataset_source=record["dataset_source"],
        dataset_name=record["dataset_name"],
        artifacts=record["artifacts"],
        register_as=None,  # registered after the run is marked complete
        version_tags=record["version_tags"],
        booster=booster,
    )
