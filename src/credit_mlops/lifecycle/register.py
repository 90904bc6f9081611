"""`credit register`: a run's logged model as a new version of a registered model."""

from __future__ import annotations

from dataclasses import dataclass

from credit_mlops import names
from credit_mlops.errors import InputError
from credit_mlops.lifecycle.predict_checks import live_run
from credit_mlops.lifecycle.resolve import get_run, run_model
from credit_mlops.tracking.store import TrackingStore


@dataclass(frozen=True)
class Registered:
    name: str
    version: str
    run_id: str
    source: str


def register(store: TrackingStore, run_id: str, name: str | None) -> Registered:
    names.run_id(run_id, flag="RUN_ID")
    if name is not None:
        names.registered_model(name, flag="--name")
    run = live_run(get_run(store, run_id))  # a deleted run's version could not be used
    model = run_model(store, run)
    name = name or run.tags.get("model_name")
    if not name:
        raise InputError(f"run '{run_id}' has no model_name tag; give --name NAME")
    tags = {
        "model_key": run.tags.get("model_name", ""),
        "model_version": run.tags.get("model_version", ""),
    }
    mv = store.register(
        name, model.uri, run_id, model.model_id, {k: v for k, v in tags.items() if v}
    )
    return Registered(name=mv.name, version=mv.version, run_id=run_id, source=mv.source)
