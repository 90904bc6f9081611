"""The registry half of the `Tracker` (tracking/mlflow_tracker.py): registered models, versions,
stages, aliases and version tags, each call inside the connection's guard.

A base class of `Tracker`, not a second client: it uses the Tracker's `conn` and `_client`.
"""

from __future__ import annotations

from typing import Any

from credit_mlops.tracking import registry
from credit_mlops.tracking.connection import Connection, error_code
from credit_mlops.tracking.convert import model_record, version_record
from credit_mlops.tracking.records import ModelRecord, VersionRecord


class RegistryCalls:
    conn: Connection
    _client: Any

    def register(
        self,
        name: str,
        model_uri: str,
        run_id: str,
        model_id: str | None,
        tags: dict[str, str],
    ) -> VersionRecord:
        with self.conn.guard():
            mv = registry.create_version(self._client, name, model_uri, run_id, model_id, tags)
        return version_record(mv)

    def registered_model(self, name: str) -> ModelRecord | None:
        from mlflow.exceptions import MlflowException

        with self.conn.guard():
            try:
                return model_record(self._client.get_registered_model(name))
            except MlflowException as exc:
                if error_code(exc) != "RESOURCE_DOES_NOT_EXIST":
                    raise
        return None

    def registered_names(self) -> list[str]:
        with self.conn.guard():
            found = self._client.search_registered_models(max_results=1000)
        return sorted(m.name for m in found)

    def versions(self, name: str) -> list[VersionRecord]:
        with self.conn.guard():
            return registry.versions_of_model(self._client, name)

    def version_by_alias(self, name: str, alias: str) -> VersionRecord | None:
        from mlflow.exceptions import MlflowException

        with self.conn.guard():
            try:
                return version_record(self._client.get_model_version_by_alias(name, alias))
            except MlflowException as exc:
                if error_code(exc) not in registry.MISSING:
                    raise
        return None

    def versions_of_runs(self, run_ids: list[str]) -> list[VersionRecord]:
        with self.conn.guard():
            return registry.versions_of_runs(self._client, run_ids)

    def all_versions(self) -> list[VersionRecord]:
        with self.conn.guard():
            return registry.all_versions(self._client)

    def aliases(self, names: set[str]) -> dict[tuple[str, str], list[str]]:
        with self.conn.guard():
            return registry.aliases(self._client, names)

    def transition_stage(self, name: str, version: str, stage: str) -> None:
        with self.conn.guard():
            self._client.transition_model_version_stage(name, version, stage)

    def set_alias(self, name: str, alias: str, version: str) -> None:
        with self.conn.guard():
            self._client.set_registered_model_alias(name, alias, version)

    def delete_alias(self, name: str, alias: str) -> None:
        with self.conn.guard():
            self._client.delete_registered_model_alias(name, alias)

    def set_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        with self.conn.guard():
            self._client.set_model_version_tag(name, version, key, value)
