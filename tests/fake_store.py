"""An in-memory TrackingStore: the facade's protocol without MLflow, for command-level tests.

It keeps runs, registered models and versions in dicts and answers as the MLflow `Tracker`
does (None for what is missing, versions oldest first). Real-store behaviour stays covered
by tests/integration.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from credit_mlops.errors import NotFoundError
from credit_mlops.tracking.records import (
    Classifier,
    EvaluationRun,
    ExperimentRecord,
    LoggedModel,
    ModelRecord,
    RunRecord,
    RunSpec,
    TrackedRun,
    VersionRecord,
)


@dataclass
class FakeStore:
    experiment: str = "credit-risk"
    shown_uri: str = "fake://store"
    is_remote: bool = False
    runs: dict[str, RunRecord] = field(default_factory=dict)
    models: dict[str, ModelRecord] = field(default_factory=dict)
    versions_by_name: dict[str, list[VersionRecord]] = field(default_factory=dict)
    specs: dict[str, RunSpec] = field(default_factory=dict)
    artifacts: dict[tuple[str, str], Path] = field(default_factory=dict)
    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    histories: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    logged_in: dict[str, str] = field(default_factory=dict)  # run id -> experiment
    _ids: Iterator[int] = field(default_factory=itertools.count)

    # --- building a store for a test -----------------------------------------------

    def add_run(self, **fields: object) -> RunRecord:
        run_id = str(fields.pop("run_id", f"run{next(self._ids)}"))
        defaults: dict[str, object] = {
            "experiment_id": "0",
            "run_name": run_id,
            "status": "FINISHED",
            "start_time": 1_000_000 + len(self.runs),
            "end_time": None,
        }
        run = RunRecord(run_id=run_id, **{**defaults, **fields})
        self.runs[run_id] = run
        return run

    def add_version(self, name: str, run_id: str, stage: str = "None") -> VersionRecord:
        return self._new_version(name, run_id, stage, {})

    def _new_version(
        self, name: str, run_id: str, stage: str, tags: dict[str, str]
    ) -> VersionRecord:
        self.models.setdefault(name, ModelRecord(name))
        versions = self.versions_by_name.setdefault(name, [])
        mv = VersionRecord(
            name, str(len(versions) + 1), run_id, stage, f"models:/{run_id}", 0, tags
        )
        versions.append(mv)
        return mv

    def _replace_version(self, name: str, version: str, **changes: object) -> None:
        versions = self.versions_by_name[name]
        i = next(i for i, v in enumerate(versions) if v.version == version)
        versions[i] = replace(versions[i], **changes)

    # --- the protocol ----------------------------------------------------------------

    def check(self) -> None:
        self.calls.append(("check", ()))

    def in_experiment(self, name: str) -> FakeStore:
        """A view of the same runs and models for experiment `name` (runs it logs say so)."""
        return replace(self, experiment=name)  # the dicts are shared, not copied

    def experiment_id(self, create: bool = True) -> str:
        return "0"

    def find_experiment(self, name: str) -> ExperimentRecord:
        if name != self.experiment:
            raise NotFoundError(f"experiment '{name}' not found at {self.shown_uri}")
        return ExperimentRecord("0", name)

    def experiment_ids(self) -> list[str]:
        return ["0"]

    def iter_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        order_by: Sequence[str] | None = None,
        page_size: int = 1000,
        first_page: int | None = None,
    ) -> Iterator[RunRecord]:
        self.calls.append(("iter_runs", (filter_string,)))
        newest = sorted(self.runs.values(), key=lambda r: r.start_time or 0, reverse=True)
        yield from (r for r in newest if r.experiment_id in experiment_ids)

    def runs_by_id(
        self, experiment_ids: Sequence[str], run_ids: Sequence[str]
    ) -> dict[str, RunRecord]:
        return {r: self.runs[r] for r in run_ids if r in self.runs}

    def runs_tagged(self, key: str, value: str) -> list[RunRecord]:
        return [r for r in self.runs.values() if r.tags.get(key) == value]

    def running_runs(self) -> list[RunRecord]:
        return [r for r in self.runs.values() if r.status == "RUNNING"]

    def get_run(self, run_id: str) -> RunRecord | None:
        return self.runs.get(run_id)

    def metric_history(self, run_id: str, key: str) -> list[float]:
        return list(self.histories.get((run_id, key), []))

    def set_run_tag(self, run_id: str, key: str, value: str) -> None:
        run = self.runs[run_id]
        self.runs[run_id] = replace(run, tags={**run.tags, key: value})

    def delete_run(self, run_id: str) -> None:
        del self.runs[run_id]

    def end_run(self, run_id: str, status: str) -> None:
        self.runs[run_id] = replace(self.runs[run_id], status=status)

    def log_training_run(
        self, spec: RunSpec, *, start_time: int | None = None, end_time: int | None = None
    ) -> TrackedRun:
        run = self.add_run(
            run_name=spec.run_name,
            start_time=start_time,
            end_time=end_time,
            params={k: str(v) for k, v in spec.params.items()},
            metrics=dict(spec.metrics),
            tags=dict(spec.tags),
        )
        self.specs[run.run_id] = spec
        self.logged_in[run.run_id] = self.experiment
        for key, values in spec.histories.items():
            self.histories[(run.run_id, key)] = list(values)
        name = version = None
        if spec.register_as:
            mv = self.register(spec.register_as, f"models:/m-{run.run_id}", run.run_id, None, {})
            name, version = mv.name, mv.version
        return TrackedRun(run.run_id, "0", f"models:/m-{run.run_id}", name, version, None, None)

    def log_evaluation_run(self, evaluation: EvaluationRun) -> str:
        run = self.add_run(
            run_name=evaluation.run_name,
            tags=dict(evaluation.tags),
            metrics=dict(evaluation.metrics),
        )
        return run.run_id

    def download_artifact(self, run_id: str, path: str) -> Path:
        return self.artifacts[(run_id, path)]

    def artifact_paths(self, run_id: str, folder: str = "", recursive: bool = False) -> list[str]:
        prefix = f"{folder}/" if folder else ""
        return sorted(
            p
            for rid, p in self.artifacts
            if rid == run_id and p.startswith(prefix) and (recursive or "/" not in p[len(prefix) :])
        )

    def artifact_exists(self, run_id: str, path: str) -> bool:
        return (run_id, path) in self.artifacts

    def log_artifact(self, run_id: str, local_path: Path, artifact_path: str) -> None:
        self.calls.append(("log_artifact", (run_id, str(local_path), artifact_path)))
        self.artifacts[(run_id, f"{artifact_path}/{local_path.name}")] = local_path

    def load_model(self, uri: str) -> Classifier:
        run_id = uri.removeprefix("models:/m-")
        return self.specs[run_id].pipeline

    def run_logged_model(self, run: RunRecord) -> LoggedModel | None:
        if run.run_id not in self.specs and run.tags.get("no_model") == "true":
            return None
        return LoggedModel(f"models:/m-{run.run_id}", f"m-{run.run_id}", run.run_id)

    def get_logged_model(self, model_id: str) -> LoggedModel | None:
        run_id = model_id.removeprefix("m-")
        return LoggedModel(f"models:/{model_id}", model_id, run_id) if run_id in self.runs else None

    def register(
        self, name: str, model_uri: str, run_id: str, model_id: str | None, tags: dict[str, str]
    ) -> VersionRecord:
        self.calls.append(("register", (name, model_uri, run_id, model_id, tags)))
        return self._new_version(name, run_id, "None", tags)

    def registered_model(self, name: str) -> ModelRecord | None:
        return self.models.get(name)

    def registered_names(self) -> list[str]:
        return sorted(self.models)

    def versions(self, name: str) -> list[VersionRecord]:
        return list(self.versions_by_name.get(name, []))

    def version_by_alias(self, name: str, alias: str) -> VersionRecord | None:
        version = self.models[name].aliases.get(alias)
        return next((v for v in self.versions(name) if v.version == version), None)

    def versions_of_runs(self, run_ids: list[str]) -> list[VersionRecord]:
        return [v for vs in self.versions_by_name.values() for v in vs if v.run_id in run_ids]

    def all_versions(self) -> list[VersionRecord]:
        return [v for vs in self.versions_by_name.values() for v in vs]

    def aliases(self, names: set[str]) -> dict[tuple[str, str], list[str]]:
        out: dict[tuple[str, str], list[str]] = {}
        for name in names & set(self.models):
            for alias, version in self.models[name].aliases.items():
                out.setdefault((name, version), []).append(alias)
        return out

    def transition_stage(self, name: str, version: str, stage: str) -> None:
        self.calls.append(("transition_stage", (name, version, stage)))
        self._replace_version(name, version, current_stage=stage)

    def set_alias(self, name: str, alias: str, version: str) -> None:
        model = self.models[name]
        self.models[name] = replace(model, aliases={**model.aliases, alias: version})

    def delete_alias(self, name: str, alias: str) -> None:
        model = self.models[name]
        kept = {a: v for a, v in model.aliases.items() if a != alias}
        self.models[name] = replace(model, aliases=kept)

    def set_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        mv = next(v for v in self.versions(name) if v.version == version)
        self._replace_version(name, version, tags={**mv.tags, key: value})
