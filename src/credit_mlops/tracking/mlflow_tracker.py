"""The tracking facade's MLflow implementation (the protocol is `tracking.store`).

`Tracker` holds the only MLflow client; every call runs inside `Connection.guard()`, so
each MLflow failure is translated once, here, into the errors of `credit_mlops.errors`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from credit_mlops.errors import (
    AuthError,
    DeletedError,
    InputError,
    NotFoundError,
    TrackingError,
    TrackingUnreachableError,
)
from credit_mlops.tracking import artifact_store, artifacts, registry, runs, search
from credit_mlops.tracking.connection import Connection, error_code
from credit_mlops.tracking.convert import (
    experiment_record,
    logged_model,
    run_record,
)
from credit_mlops.tracking.records import (
    Classifier,
    EvaluationRun,
    ExperimentRecord,
    LoggedModel,
    RunRecord,
    RunSpec,
    TrackedRun,
)
from credit_mlops.tracking.store_lock import (
    check_writable,
    create_experiment,
    local_lock,
    open_client,
    refuse_foreign_store,
)
from credit_mlops.tracking.tracker_registry import RegistryCalls
from credit_mlops.tracking.tuning import TuneRuns


class Tracker(RegistryCalls):
    """One tracking URI and experiment; opened once per command (see tracking.open)."""

    def __init__(
        self,
        conn: Connection,
        *,
        trust_models_that_run_code: bool = False,
        existing: bool = False,
    ) -> None:
        self.conn = conn
        refuse_foreign_store(conn.uri, source=conn.source)  # read-only, before MLflow
        conn.probe_database(existing=existing)  # before MLflow is even imported
        self.trust_models_that_run_code = trust_models_that_run_code  # see model_trust
        with local_lock(conn.uri), conn.guard():  # see tracking.store_lock.open_client
            self._client: Any = open_client(conn.uri)
        self._experiment_id: str | None = None
        self._experiment_deleted = False  # found in the store, but deleted (not restored)
        self._elsewhere: str | None = None  # a local store's experiment kept outside it
        self._reachable = False

    # --- the store --------------------------------------------------------------------

    @property
    def shown_uri(self) -> str:
        return self.conn.shown_uri

    @property
    def is_remote(self) -> bool:
        return self.conn.is_remote

    def ping(self) -> None:
        if not self._reachable:
            self.conn.ping()
            self._reachable = True

    def check(self) -> None:
        """Fail fast before minutes of training: reach the server or open the store."""
        if self.is_remote:
            self.ping()
        check_writable(self.conn.uri, source=self.conn.source)
        experiment_id = self.experiment_id()
        if self._experiment_deleted:  # MLflow refuses to log there, after the work
            raise self._deleted(
                self.conn.experiment,
                experiment_id,
                "choose another name (--mlflow-experiment or tracking.experiment)",
            )
        if self._elsewhere:  # a copied store: its new runs' files would land in the original
            raise InputError(
                f"experiment {self.conn.experiment!r} of this store keeps its runs' files in "
                f"{self._elsewhere}, outside the store: the store was copied or moved from "
                "there, and new runs would be written there; name another experiment "
                "(--mlflow-experiment), whose files are kept in this store"
            )
        with self.conn.guard():  # its run files: a library not installed, a server not there
            location = artifact_store.location_of(self._client, experiment_id)
        artifact_store.check_location(self.conn.experiment, location, self.conn.http.timeout)

    def in_experiment(self, name: str) -> Tracker:
        """This store and client, another experiment: `credit sync` logs each outbox entry
        to the experiment the entry records, whatever the current settings name."""
        if name == self.conn.experiment:
            return self
        import copy
        from dataclasses import replace

        other = copy.copy(self)
        other.conn = replace(self.conn, experiment=name)
        other._experiment_id = None
        other._experiment_deleted = False
        other._elsewhere = None
        return other

    def experiment_id(self, create: bool = True) -> str:
        if self._experiment_id is not None:
            return self._experiment_id
        name, root = self.conn.experiment, self.conn.artifact_root
        with self.conn.guard():
            exp = self._client.get_experiment_by_name(name)
            if exp is None:
                if not create:
                    raise NotFoundError(f"experiment '{name}' does not exist")
                location = root.resolve().as_uri() if root else None
                self._experiment_id = create_experiment(self._client, name, location)
            else:
                self._experiment_id = exp.experiment_id
                self._experiment_deleted = exp.lifecycle_stage == "deleted"
                self._elsewhere = artifacts.kept_elsewhere(exp.artifact_location, root)
        return str(self._experiment_id)

    def _deleted(self, name: str, experiment_id: str, other: str) -> DeletedError:
        """The one line for an experiment the store holds as deleted: how to restore it."""
        return DeletedError(
            f"experiment '{name}' is deleted in the store at {self.shown_uri}; restore it "
            f"(mlflow experiments restore --experiment-id {experiment_id}, with "
            f"MLFLOW_TRACKING_URI set to that store) or {other}"
        )

    def find_experiment(self, name: str) -> ExperimentRecord:
        """The experiment, or NotFoundError naming the ones that exist."""
        with self.conn.guard():
            exp = self._client.get_experiment_by_name(name)
        if exp is not None and exp.lifecycle_stage == "deleted":  # its runs are deleted too
            raise self._deleted(name, exp.experiment_id, "name another")
        if exp is not None:
            return experiment_record(exp)
        with self.conn.guard():
            names = sorted(e.name for e in self._client.search_experiments(max_results=1000))
        have = ", ".join(names[:15]) + (" …" if len(names) > 15 else "") if names else "none"
        raise NotFoundError(
            f"experiment '{name}' not found at {self.shown_uri} (experiments: {have})"
        )

    def experiment_ids(self) -> list[str]:
        with self.conn.guard():
            return [str(e.experiment_id) for e in self._client.search_experiments()]

    # --- runs -------------------------------------------------------------------------

    def iter_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        order_by: Sequence[str] | None = None,
        page_size: int = 1000,
        first_page: int | None = None,
    ) -> Iterator[RunRecord]:
        return search.iter_runs(
            self.conn, self._client, experiment_ids, filter_string, order_by, page_size, first_page
        )

    def runs_by_id(
        self, experiment_ids: Sequence[str], run_ids: Sequence[str]
    ) -> dict[str, RunRecord]:
        return search.runs_by_id(self.conn, self._client, experiment_ids, run_ids)

    def runs_tagged(self, key: str, value: str) -> list[RunRecord]:
        """Runs of this experiment carrying tag `key` = `value` (at most 100)."""
        from credit_mlops.tracking.queries import tag_equals

        with self.conn.guard():
            found = self._client.search_runs(
                [self.experiment_id()], filter_string=tag_equals(key, value), max_results=100
            )
        return [run_record(r) for r in found]

    def running_runs(self) -> list[RunRecord]:
        """Runs of this experiment whose status is RUNNING (at most 1,000)."""
        with self.conn.guard():
            found = self._client.search_runs(
                [self.experiment_id()],
                filter_string="attributes.status = 'RUNNING'",
                max_results=1000,
            )
        return [run_record(r) for r in found]

    def get_run(self, run_id: str) -> RunRecord | None:
        from mlflow.exceptions import MlflowException

        with self.conn.guard():
            try:
                return run_record(self._client.get_run(run_id))
            except MlflowException as exc:
                if error_code(exc) not in registry.MISSING:
                    raise
        return None

    def metric_history(self, run_id: str, key: str) -> list[float]:
        return search.metric_history(self.conn, self._client, run_id, key)

    def set_run_tag(self, run_id: str, key: str, value: str) -> None:
        with self.conn.guard():
            self._client.set_tag(run_id, key, value)

    def delete_run(self, run_id: str) -> None:
        with self.conn.guard():
            self._client.delete_run(run_id)

    def end_run(self, run_id: str, status: str) -> None:
        with self.conn.guard():
            self._client.set_terminated(run_id, status)

    def log_training_run(
        self, spec: RunSpec, *, start_time: int | None = None, end_time: int | None = None
    ) -> TrackedRun:
        """Create a run and log everything of `spec` to it; register if `register_as`.

        `start_time`/`end_time` (ms) keep the original times of a run synced later.
        """
        exp_id = self.experiment_id()
        logged = runs.log_training_run(
            self.conn, self._client, exp_id, spec, start_time=start_time, end_time=end_time
        )
        return runs.tracked(self.conn, exp_id, logged)

    def log_evaluation_run(self, evaluation: EvaluationRun) -> str:
        with self.conn.guard():
            return runs.log_evaluation_run(self._client, evaluation)

    def download_artifact(self, run_id: str, path: str) -> Path:
        try:
            with self.conn.guard():
                return artifacts.download(self._client, run_id, path)
        except TrackingError as exc:
            if isinstance(exc, TrackingUnreachableError | AuthError):
                raise
            listed = artifacts.listed_anyway(lambda: self.artifact_exists(run_id, path))
            raise artifacts.not_given(run_id, path, listed) from None

    def artifact_paths(self, run_id: str, folder: str = "", recursive: bool = False) -> list[str]:
        with self.conn.guard():
            found = artifacts.paths(self._client, run_id, folder, recursive)
            moved = None if found else artifacts.moved_store(self._client, run_id)
        if moved:  # none found because the store was moved: said, not "no such file"
            raise NotFoundError(moved)
        return found

    def artifact_exists(self, run_id: str, path: str) -> bool:
        return path in self.artifact_paths(run_id, path.rpartition("/")[0])

    def log_artifact(self, run_id: str, local_path: Path, artifact_path: str) -> None:
        with self.conn.guard():
            self._client.log_artifact(run_id, str(local_path), artifact_path)

    def load_model(self, uri: str) -> Classifier:
        """The estimator at `uri`, loaded only if the tool can check it (model_trust)."""
        from credit_mlops.tracking import model_trust

        with self.conn.guard():
            model: Classifier = model_trust.load_model(uri, self.trust_models_that_run_code)
            return model

    def load_decision_model(self, uri: str) -> Any:
        """The whole decision of the model at `uri` (`credit_runtime.model.CreditModel`)."""
        from credit_mlops.tracking import model_trust

        with self.conn.guard():
            return model_trust.load_decision_model(uri, self.trust_models_that_run_code)

    def spark_udf(
        self, spark: Any, uri: str, *, threshold: float, features: list[str], folder: Path
    ) -> Any:
        """`mlflow.pyfunc.spark_udf` over the model at `uri`, answering p_bad and decision."""
        import warnings

        # Importing it defines a PythonModel without type hints, and MLflow's note on that
        # (for model authors) forces itself past the filters: recorded here and dropped.
        with warnings.catch_warnings(record=True):
            from credit_mlops.tracking import spark_scoring
        with self.conn.guard():
            path = spark_scoring.save_decision_model(
                uri,
                threshold=threshold,
                features=features,
                folder=folder,
                trust_code=self.trust_models_that_run_code,
            )
            return spark_scoring.spark_udf(spark, path)

    # --- registry ---------------------------------------------------------------------

    def run_logged_model(self, run: RunRecord) -> LoggedModel | None:
        with self.conn.guard():
            return registry.run_logged_model(self._client, run.experiment_id, run.run_id)

    def get_logged_model(self, model_id: str) -> LoggedModel | None:
        from mlflow.exceptions import MlflowException

        with self.conn.guard():
            try:
                return logged_model(self._client.get_logged_model(model_id))
            except MlflowException as exc:
                if error_code(exc) != "RESOURCE_DOES_NOT_EXIST":
                    raise
        return None

    def tune_runs(self) -> TuneRuns:
        """`credit tune`'s runs in this store (tracking/tuning.py), on this client."""
        return TuneRuns(self, self._client)
