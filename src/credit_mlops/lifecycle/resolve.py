"""Looking a target up in the store: a parsed target -> the model to load and its run."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from credit_mlops.errors import InputError, NotFoundError
from credit_mlops.lifecycle.promotion import find_version
from credit_mlops.lifecycle.targets import (
    AliasTarget,
    LatestTarget,
    LoggedModelTarget,
    RunTarget,
    StageTarget,
    VersionTarget,
    parse_target,
)
from credit_mlops.tracking.records import LoggedModel, ModelRecord, RunRecord, VersionRecord
from credit_mlops.tracking.store import TrackingStore


@dataclass(frozen=True)
class ModelRef:
    """A resolved model: what to load and where it came from."""

    uri: str
    run_id: str
    name: str | None = None
    version: str | None = None

    @property
    def label(self) -> str:
        if self.name and self.version:
            return f"{self.name} v{self.version}"
        return self.uri


def resolve(store: TrackingStore, target: str) -> ModelRef:
    """NAME, NAME/VERSION, NAME/STAGE, NAME@ALIAS, models:/…, runs:/RUN_ID/model."""
    parsed = parse_target(target)
    if isinstance(parsed, RunTarget):
        run = get_run(store, parsed.run_id)
        if parsed.path is None:
            return ModelRef(uri=run_model(store, run).uri, run_id=run.run_id)
        _check_run_path(store, run, parsed.path)
        return ModelRef(uri=parsed.uri, run_id=run.run_id)
    if isinstance(parsed, LoggedModelTarget):
        logged = store.get_logged_model(parsed.model_id)
        if logged is None:
            raise NotFoundError(f"no logged model '{parsed.model_id}'")
        return ModelRef(uri=logged.uri, run_id=logged.source_run_id)
    if isinstance(parsed, AliasTarget):
        return _by_alias(store, parsed.name, parsed.alias)
    if isinstance(parsed, VersionTarget):
        return _ref(find_version(versions(store, parsed.name), parsed.name, parsed.version))
    if isinstance(parsed, StageTarget):
        return _by_stage(store, parsed.name, parsed.stage)
    if isinstance(parsed, LatestTarget):
        return _latest(store, parsed.name)
    raise InputError(f"cannot resolve '{target}'")  # pragma: no cover - the grammar is closed


def get_run(store: TrackingStore, run_id: str) -> RunRecord:
    run = store.get_run(run_id)
    if run is None:
        raise NotFoundError(f"no run with id '{run_id}' at {store.shown_uri}")
    return run


def _check_run_path(store: TrackingStore, run: RunRecord, path: str) -> None:
    """A `runs:/RUN_ID/PATH` that names nothing in the run is refused as such (exit 2),
    not left to fail as a download from the tracking store."""
    top = path.strip("/").split("/", 1)[0]
    if top == "model" and store.run_logged_model(run) is not None:
        return  # MLflow 3 keeps the run's model as a logged model, not among its artifacts
    wanted = path.strip("/")
    files = store.artifact_paths(run.run_id, recursive=True)
    if not any(f == wanted or f.startswith(wanted + "/") for f in files):
        listed = ", ".join(sorted({f.split("/", 1)[0] for f in files})[:10]) or "none"
        raise NotFoundError(
            f"run '{run.run_id}' has nothing at '{path}' (its artifacts: {listed}); "
            f"use runs:/{run.run_id}/model for its model"
        )


def run_model(store: TrackingStore, run: RunRecord) -> LoggedModel:
    """The run's logged `model`, or NotFoundError."""
    found = store.run_logged_model(run)
    if found is None:
        raise NotFoundError(f"run '{run.run_id}' has no logged model named 'model' to register")
    return found


def registered_model(store: TrackingStore, name: str) -> ModelRecord:
    model = store.registered_model(name)
    if model is not None:
        return model
    have = store.registered_names()
    listed = ", ".join(have[:15]) + (" …" if len(have) > 15 else "") if have else "none yet"
    raise NotFoundError(f"no registered model '{name}' at {store.shown_uri} (registered: {listed})")


def versions(store: TrackingStore, name: str) -> list[VersionRecord]:
    """The model's versions, oldest first; NotFoundError for an unknown model."""
    registered_model(store, name)
    return store.versions(name)


def _ref(mv: VersionRecord) -> ModelRef:
    return ModelRef(
        uri=f"models:/{mv.name}/{mv.version}", run_id=mv.run_id, name=mv.name, version=mv.version
    )


def _latest(store: TrackingStore, name: str) -> ModelRef:
    found = versions(store, name)
    if not found:
        raise NotFoundError(f"model '{name}' has no versions yet; train or register one")
    return _ref(found[-1])


def _by_stage(store: TrackingStore, name: str, stage: str) -> ModelRef:
    inside = [v for v in versions(store, name) if v.current_stage == stage]
    if not inside:
        raise NotFoundError(
            f"model '{name}' has no version in stage {stage}; "
            f"promote one with `credit promote {shlex.quote(name)} VERSION {stage}`"
        )
    return _ref(inside[-1])


def _by_alias(store: TrackingStore, name: str, alias: str) -> ModelRef:
    model = registered_model(store, name)
    mv = store.version_by_alias(name, alias)
    if mv is not None:
        return _ref(mv)
    have = ", ".join(sorted(model.aliases)) if model.aliases else "none"
    raise NotFoundError(f"model '{name}' has no alias '{alias}' (aliases: {have})")
