"""The model registry store: registration (written once, here), versions, aliases, stages,
and the lookup of a run's logged model. Raw client calls; the facade guards them."""

from __future__ import annotations

from typing import Any

from credit_mlops.tracking.convert import logged_model, version_record
from credit_mlops.tracking.queries import in_filters, quote
from credit_mlops.tracking.records import LoggedModel, VersionRecord

MODEL_ARTIFACT = "model"
MISSING = ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE")


def create_version(
    client: Any,
    name: str,
    model_uri: str,
    run_id: str,
    model_id: str | None,
    tags: dict[str, str],
) -> Any:
    """A new version of `name` (the registered model is created if needed)."""
    from mlflow.exceptions import MlflowException

    try:
        client.create_registered_model(name)
    except MlflowException as exc:
        # Another process may register the same name at the same moment.
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    return client.create_model_version(
        name, source=model_uri, run_id=run_id, tags=tags, model_id=model_id
    )


def run_logged_model(client: Any, experiment_id: str, run_id: str) -> LoggedModel | None:
    """The run's `model`: a logged model (MLflow 3), else a `runs:/` artifact (MLflow 2)."""
    for m in client.search_logged_models(
        experiment_ids=[experiment_id], filter_string=f"source_run_id = {quote(run_id)}"
    ):
        if m.name == MODEL_ARTIFACT:
            return logged_model(m)
    artifacts = {a.path for a in client.list_artifacts(run_id)}
    if MODEL_ARTIFACT in artifacts:
        return LoggedModel(
            uri=f"runs:/{run_id}/{MODEL_ARTIFACT}", model_id=None, source_run_id=run_id
        )
    return None


def versions_of_model(client: Any, name: str) -> list[VersionRecord]:
    found = client.search_model_versions(f"name={quote(name)}", max_results=10000)
    return sorted((version_record(v) for v in found), key=lambda v: int(v.version))


def versions_of_runs(client: Any, run_ids: list[str]) -> list[VersionRecord]:
    out: list[VersionRecord] = []
    for flt in in_filters("run_id", run_ids):
        out.extend(version_record(v) for v in client.search_model_versions(flt, max_results=10000))
    return out


def all_versions(client: Any) -> list[VersionRecord]:
    out: list[VersionRecord] = []
    token: str | None = None
    while True:
        page = client.search_model_versions(max_results=10000, page_token=token)
        out.extend(version_record(v) for v in page)
        token = page.token
        if not token:
            return out


def aliases(client: Any, names: set[str]) -> dict[tuple[str, str], list[str]]:
    """(model name, version) -> its aliases; search results do not carry them."""
    out: dict[tuple[str, str], list[str]] = {}
    token: str | None = None
    while True:
        page = client.search_registered_models(max_results=1000, page_token=token)
        for model in page:
            if model.name in names:
                for alias, version in (model.aliases or {}).items():
                    out.setdefault((model.name, str(version)), []).append(alias)
        token = page.token
        if not token:
            return out
