"""MLflow entities -> our records. Attribute reads only: this module imports no MLflow."""

from __future__ import annotations

from typing import Any

from credit_mlops.tracking.records import (
    ExperimentRecord,
    LoggedModel,
    ModelRecord,
    RunRecord,
    VersionRecord,
)


def run_record(run: Any) -> RunRecord:
    info, data = run.info, run.data
    return RunRecord(
        run_id=info.run_id,
        experiment_id=str(info.experiment_id),
        run_name=info.run_name or "",
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        params=dict(data.params),
        metrics={k: float(v) for k, v in data.metrics.items()},
        tags=dict(data.tags),
        lifecycle_stage=info.lifecycle_stage or "active",
    )


def version_record(mv: Any) -> VersionRecord:
    return VersionRecord(
        name=mv.name,
        version=str(mv.version),
        run_id=mv.run_id or "",
        current_stage=mv.current_stage or "None",
        source=mv.source or "",
        creation_timestamp=int(mv.creation_timestamp or 0),
        tags=dict(mv.tags or {}),
    )


def model_record(model: Any) -> ModelRecord:
    return ModelRecord(
        name=model.name, aliases={a: str(v) for a, v in (model.aliases or {}).items()}
    )


def experiment_record(exp: Any) -> ExperimentRecord:
    return ExperimentRecord(experiment_id=str(exp.experiment_id), name=exp.name)


def logged_model(model: Any) -> LoggedModel:
    return LoggedModel(
        uri=f"models:/{model.model_id}",
        model_id=model.model_id,
        source_run_id=model.source_run_id or "",
    )
