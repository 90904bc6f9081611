"""The model registry side of the tracking layer: resolve targets, register, promote.

Stages are deprecated in MLflow 3 but still what the team's `models:/name/Production`
URIs use, so every stage move also moves the matching alias (`staging`, `production`).
"""

from __future__ import annotations

import getpass
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credit_mlops.errors import InputError, NotFoundError
from credit_mlops.tracking.tracker import Tracker

STAGES = {"staging": "Staging", "production": "Production", "archived": "Archived", "none": "None"}
STAGE_ALIAS = {"Staging": "staging", "Production": "production"}
PROMOTION_TAG = "credit.promotion."
MODEL_ARTIFACT = "model"


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


@dataclass(frozen=True)
class Promotion:
    name: str
    version: str
    from_stage: str
    to_stage: str
    at: str
    by: str
    metric: str
    candidate: float | None
    current: float | None
    current_version: str | None
    forced: bool
    archived: tuple[str, ...] = ()
    note: str = ""


def canonical_stage(stage: str) -> str:
    try:
        return STAGES[stage.strip().lower()]
    except KeyError:
        raise InputError(
            f"unknown stage '{stage}' (choose from: Staging, Production, Archived, None)"
        ) from None


def user() -> str:
    for var in ("CREDIT_USER", "USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Registry:
    """Registry operations on one tracking URI."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.client = tracker.client

    # --- lookups ------------------------------------------------------------------

    def names(self) -> list[str]:
        with self.tracker.guard():
            return sorted(m.name for m in self.client.search_registered_models(max_results=1000))

    def model(self, name: str) -> Any:
        from mlflow.exceptions import MlflowException

        with self.tracker.guard():
            try:
                return self.client.get_registered_model(name)
            except MlflowException as exc:
                if exc.error_code != "RESOURCE_DOES_NOT_EXIST":
                    raise
        have = self.names()
        listed = ", ".join(have[:15]) + (" …" if len(have) > 15 else "") if have else "none yet"
        raise NotFoundError(
            f"no registered model '{name}' at {self.tracker.shown_uri} (registered: {listed})"
        )

    def versions(self, name: str) -> list[Any]:
        self.model(name)
        with self.tracker.guard():
            found = self.client.search_model_versions(f"name='{_quote(name)}'", max_results=10000)
        return sorted(found, key=lambda v: int(v.version))

    def version(self, name: str, version: str) -> Any:
        return _find(self.versions(name), name, version)

    def run(self, run_id: str) -> Any:
        from mlflow.exceptions import MlflowException

        with self.tracker.guard():
            try:
                return self.client.get_run(run_id)
            except MlflowException as exc:
                if exc.error_code not in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
                    raise
        raise NotFoundError(f"no run with id '{run_id}' at {self.tracker.shown_uri}")

    def run_model_uri(self, run: Any) -> tuple[str, str | None]:
        """(model URI, logged model id) of the run's `model`, or NotFoundError."""
        with self.tracker.guard():
            logged = self.client.search_logged_models(
                experiment_ids=[run.info.experiment_id],
                filter_string=f"source_run_id = '{run.info.run_id}'",
            )
            for m in logged:
                if m.name == MODEL_ARTIFACT:
                    return f"models:/{m.model_id}", m.model_id
            # A run logged the MLflow 2 way keeps the model among its artifacts.
            artifacts = {a.path for a in self.client.list_artifacts(run.info.run_id)}
        if MODEL_ARTIFACT in artifacts:
            return f"runs:/{run.info.run_id}/{MODEL_ARTIFACT}", None
        raise NotFoundError(
            f"run '{run.info.run_id}' has no logged model named '{MODEL_ARTIFACT}' to register"
        )

    def resolve(self, target: str) -> ModelRef:
        """NAME, NAME/VERSION, NAME/STAGE, NAME@ALIAS, models:/…, runs:/RUN_ID/model."""
        text = target.strip()
        if text.startswith("runs:/"):
            parts = text.removeprefix("runs:/").split("/", 1)
            run = self.run(parts[0])
            if len(parts) == 1 or not parts[1]:
                uri, _ = self.run_model_uri(run)
                return ModelRef(uri=uri, run_id=run.info.run_id)
            return ModelRef(uri=text, run_id=run.info.run_id)
        if text.startswith("models:/"):
            text = text.removeprefix("models:/")
            if re.fullmatch(r"m-[0-9a-f]{32}", text):
                return self._logged_model(text)
        if "@" in text:
            name, alias = text.rsplit("@", 1)
            return self._by_alias(name, alias)
        if "/" in text:
            name, ref = text.rsplit("/", 1)
            if ref.isdigit():
                return self._ref(self.version(name, ref))
            if ref.lower() == "latest":
                return self._latest(name)
            if ref.lower() in STAGES:
                return self._by_stage(name, canonical_stage(ref))
            raise InputError(
                f"'{ref}' in '{target}' is neither a version number, 'latest' nor a stage "
                "(Staging, Production, Archived, None)"
            )
        return self._latest(text)

    def _ref(self, mv: Any) -> ModelRef:
        return ModelRef(
            uri=f"models:/{mv.name}/{mv.version}",
            run_id=mv.run_id,
            name=mv.name,
            version=str(mv.version),
        )

    def _latest(self, name: str) -> ModelRef:
        versions = self.versions(name)
        if not versions:
            raise NotFoundError(f"model '{name}' has no versions yet; train or register one")
        return self._ref(versions[-1])

    def _by_stage(self, name: str, stage: str) -> ModelRef:
        inside = [v for v in self.versions(name) if v.current_stage == stage]
        if not inside:
            raise NotFoundError(
                f"model '{name}' has no version in stage {stage}; "
                f"promote one with `credit promote {name} VERSION {stage}`"
            )
        return self._ref(inside[-1])

    def _by_alias(self, name: str, alias: str) -> ModelRef:
        from mlflow.exceptions import MlflowException

        model = self.model(name)
        with self.tracker.guard():
            try:
                return self._ref(self.client.get_model_version_by_alias(name, alias))
            except MlflowException as exc:
                if exc.error_code not in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
                    raise
        have = ", ".join(sorted(model.aliases)) if model.aliases else "none"
        raise NotFoundError(f"model '{name}' has no alias '{alias}' (aliases: {have})")

    def _logged_model(self, model_id: str) -> ModelRef:
        from mlflow.exceptions import MlflowException

        with self.tracker.guard():
            try:
                logged = self.client.get_logged_model(model_id)
            except MlflowException as exc:
                if exc.error_code != "RESOURCE_DOES_NOT_EXIST":
                    raise
                raise NotFoundError(f"no logged model '{model_id}'") from None
        return ModelRef(uri=f"models:/{model_id}", run_id=logged.source_run_id or "")

    # --- changes ------------------------------------------------------------------

    def register(self, run_id: str, name: str | None) -> Any:
        run = self.run(run_id)
        uri, model_id = self.run_model_uri(run)
        name = name or run.data.tags.get("model_name")
        if not name:
            raise InputError(f"run '{run_id}' has no model_name tag; give --name NAME")
        from mlflow.exceptions import MlflowException

        tags = {
            "model_key": run.data.tags.get("model_name", ""),
            "model_version": run.data.tags.get("model_version", ""),
        }
        with self.tracker.guard():
            try:
                self.client.create_registered_model(name)
            except MlflowException as exc:
                if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                    raise
            return self.client.create_model_version(
                name,
                source=uri,
                run_id=run_id,
                tags={k: v for k, v in tags.items() if v},
                model_id=model_id,
            )

    def metric_of(self, run_id: str, metric: str) -> float | None:
        with self.tracker.guard():
            value = self.client.get_run(run_id).data.metrics.get(metric)
        return None if value is None else float(value)

    def promote(
        self,
        name: str,
        version: str,
        stage: str,
        *,
        metric: str,
        force: bool = False,
        keep_existing: bool = False,
    ) -> Promotion:
        to_stage = canonical_stage(stage)
        versions = self.versions(name)  # one listing serves every check below
        mv = _find(versions, name, version)
        from_stage = mv.current_stage or "None"
        if from_stage == to_stage:
            raise InputError(f"{name} v{version} is already in {to_stage}; nothing to do")
        others = [v for v in versions if str(v.version) != str(version)]
        incumbent = next((v for v in reversed(others) if v.current_stage == "Production"), None)
        candidate = self.metric_of(mv.run_id, metric)
        incumbent_value = self.metric_of(incumbent.run_id, metric) if incumbent else None
        if to_stage == "Production" and incumbent is not None and not force:
            worse = incumbent_value is not None and (
                candidate is None or candidate < incumbent_value
            )
            if worse:
                shown = "missing" if candidate is None else f"{candidate:.4f}"
                raise GateRefusedError(
                    f"refused: {name} v{version} has {metric} {shown}, worse than "
                    f"Production v{incumbent.version} ({incumbent_value:.4f}); "
                    "use --force to promote anyway"
                )
        archive = to_stage in ("Production", "Staging") and not keep_existing
        replaced = [v for v in others if archive and v.current_stage == to_stage]
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        record = Promotion(
            name=name,
            version=str(version),
            from_stage=from_stage,
            to_stage=to_stage,
            at=at,
            by=user(),
            metric=metric,
            candidate=candidate,
            current=incumbent_value,
            current_version=str(incumbent.version) if incumbent else None,
            forced=force,
            archived=tuple(str(v.version) for v in replaced),
        )
        with self.tracker.guard():
            # MLflow's own archive_existing_versions compares an integer column with a
            # string on PostgreSQL and fails there; archiving the replaced versions one by
            # one works on every backend.
            self.client.transition_model_version_stage(name, str(version), to_stage)
            for old in replaced:
                self.client.transition_model_version_stage(name, str(old.version), "Archived")
            self._sync_aliases(name, str(version), to_stage)
            self._record(record)
            for old in replaced:
                self._record(
                    Promotion(
                        name=name,
                        version=str(old.version),
                        from_stage=to_stage,
                        to_stage="Archived",
                        at=at,
                        by=record.by,
                        metric=metric,
                        candidate=self.metric_of(old.run_id, metric),
                        current=None,
                        current_version=None,
                        forced=False,
                        note=f"replaced by v{version}",
                    )
                )
        return record

    def _sync_aliases(self, name: str, version: str, to_stage: str) -> None:
        """Keep `staging`/`production` aliases on the version in that stage."""
        model = self.client.get_registered_model(name)
        for alias, held_by in dict(model.aliases).items():
            stage_of_alias = {v: k for k, v in STAGE_ALIAS.items()}.get(alias)
            if str(held_by) == version and stage_of_alias and stage_of_alias != to_stage:
                self.client.delete_registered_model_alias(name, alias)
        if to_stage in STAGE_ALIAS:
            self.client.set_registered_model_alias(name, STAGE_ALIAS[to_stage], version)

    def _record(self, p: Promotion) -> None:
        stamp = p.at.replace(":", "").replace("-", "").replace(".", "").replace("+", "_")
        value = json.dumps({k: v for k, v in p.__dict__.items() if k not in ("name", "version")})
        self.client.set_model_version_tag(p.name, p.version, f"{PROMOTION_TAG}{stamp}", value)
        self.client.set_model_version_tag(p.name, p.version, "credit.last_promotion", value)

    def history(self, name: str) -> list[Promotion]:
        out: list[Promotion] = []
        for v in self.versions(name):
            for key, value in v.tags.items():
                if key.startswith(PROMOTION_TAG):
                    data = json.loads(value)
                    data["archived"] = tuple(data.get("archived", ()))
                    out.append(Promotion(name=name, version=str(v.version), **data))
        return sorted(out, key=lambda p: (p.at, p.note != ""))


class GateRefusedError(InputError):
    """A promotion to Production that would replace a better model."""


def _find(versions: list[Any], name: str, version: str) -> Any:
    for v in versions:
        if str(v.version) == str(version):
            return v
    have = ", ".join(str(v.version) for v in versions) or "none"
    raise NotFoundError(f"model '{name}' has no version {version} (versions: {have})")


def _quote(name: str) -> str:
    return name.replace("'", "\\'")
