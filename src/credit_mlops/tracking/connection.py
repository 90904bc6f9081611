"""How we talk to a tracking store: URI, credentials, HTTP policy, health, error translation.

MLflow reads its credentials and HTTP retry settings from the process environment, and
resolves some URIs through its process-wide tracking URI. Both are set here for the length
of one call (`Connection.scope`) and restored afterwards: nothing leaks into the process.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from credit_mlops.config.environ import scoped_environ
from credit_mlops.errors import (
    AuthError,
    CreditError,
    InputError,
    TrackingError,
    TrackingUnreachableError,
)
from credit_mlops.redaction import is_http, redact
from credit_mlops.tracking import answers

# MLflow's SQL store records its schema's migration in this table; it is there once the
# store has been created.
SCHEMA_TABLE = "alembic_version"

# Failures of the network layer, by class name anywhere in the exception chain.
_UNREACHABLE = {
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Timeout",
    "MaxRetryError",
    "NewConnectionError",
    "ConnectionRefusedError",
    # the server went away in the middle of an answer (killed while it wrote one)
    "ChunkedEncodingError",
    "ProtocolError",
    "IncompleteRead",
    "RemoteDisconnected",
    "ConnectionResetError",
}
# ... as MLflow words it when it keeps only the message of the network layer's error
_BROKEN = re.compile(r"Connection broken|IncompleteRead|Connection aborted|RemoteDisconnected")


@dataclass(frozen=True)
class HttpPolicy:
    """MLflow's own retry and timeout settings (MLFLOW_HTTP_REQUEST_*)."""

    max_retries: int = 1
    timeout: int = 4
    backoff_factor: int = 1
    backoff_jitter: float = 0.0

    @property
    def deadline(self) -> int:
        """Seconds one request may take as a whole, retries included (tracking/deadline.py)."""
        from credit_mlops.tracking.deadline import whole_request_seconds

        return whole_request_seconds(self)

    def environ(self) -> dict[str, str]:
        return {
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": str(self.max_retries),
            "MLFLOW_HTTP_REQUEST_TIMEOUT": str(self.timeout),
            "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": str(self.backoff_factor),
            "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER": str(self.backoff_jitter),
        }


@dataclass(frozen=True)
class Credentials:
    """Who we are to a tracking server; from the settings (env or CREDIT_TRACKING__*)."""

    username: str | None = None
    password: str | None = None
    token: str | None = None

    def environ(self) -> dict[str, str | None]:
        return {
            "MLFLOW_TRACKING_USERNAME": self.username,
            "MLFLOW_TRACKING_PASSWORD": self.password,
            "MLFLOW_TRACKING_TOKEN": self.token,
        }

    def __repr__(self) -> str:  # never show the secrets
        return f"Credentials(username={self.username!r})"


@dataclass(frozen=True)
class Connection:
    uri: str
    experiment: str
    artifact_root: Path | None = None
    http: HttpPolicy = HttpPolicy()
    credentials: Credentials = Credentials()
    source: str = "tracking.uri"  # where the URI came from, named in errors

    @property
    def shown_uri(self) -> str:
        return redact(self.uri)

    @property
    def is_remote(self) -> bool:
        return is_http(self.uri)

    def environ(self) -> dict[str, str | None]:
        """The variables MLflow reads during one call; None removes one."""
        env: dict[str, str | None] = {**self.http.environ(), **self.credentials.environ()}
        # MLflow configures its loggers when imported; INFO lines (store migrations,
        # "Created version") would interleave with our own output.
        env["MLFLOW_LOGGING_LEVEL"] = os.environ.get("MLFLOW_LOGGING_LEVEL") or "WARNING"
        # MLflow writes "View run at" lines to stdout for server URIs; our summary has them,
        # and stdout must stay clean for --json.
        env["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = (
            os.environ.get("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT") or "true"
        )
        # Its artifact downloads draw a progress bar on stderr, between our own lines.
        env["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = (
            os.environ.get("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR") or "false"
        )
        return env

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """MLflow pointed at this store with these credentials for one block, then restored.

        `mlflow.set_tracking_uri` also writes MLFLOW_TRACKING_URI into the environment; left
        there it would silently redirect every later settings load in this process. Inside,
        an answer that is not MLflow's API is never read as "nothing there" (answers.py).
        """
        from credit_mlops.tracking.deadline import bounded

        with (
            scoped_environ(self.environ()),
            quiet_mlflow(),
            answers.checked_answers(),
            bounded(self.http.deadline),
        ):
            import mlflow

            names = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
            saved = {name: os.environ.get(name) for name in names}
            # The outer values come back as they were, whatever MLflow wrote meanwhile.
            with scoped_environ(saved):
                mlflow.set_tracking_uri(self.uri)
                mlflow.set_registry_uri(self.uri)
                try:
                    yield
                finally:
                    # None unsets MLflow's module state as well.
                    mlflow.set_tracking_uri(saved["MLFLOW_TRACKING_URI"])  # type: ignore[arg-type]
                    mlflow.set_registry_uri(saved["MLFLOW_REGISTRY_URI"])  # type: ignore[arg-type]

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """One call to the store: scoped environment, every failure translated."""
        from mlflow.exceptions import MlflowException
        from requests import RequestException
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.scope():
                yield
        except (MlflowException, RequestException, SQLAlchemyError, OSError) as exc:
            raise translate(exc, self) from exc
        except Exception as exc:  # MLflow's client could not read an answer: not its API's
            if self.is_remote and answers.misread(exc):
                raise translate(exc, self) from exc
            raise

    def probe_database(self, *, existing: bool = False) -> None:
        """A SQL store answers within seconds or fails in one line (exit 4 / 3 / 2), before
        MLflow's SQLAlchemy store spends a minute retrying and ends in a traceback.

        With `existing`, the database must already hold MLflow's tables: opening a store
        creates them, and a command that only reads must not write a schema anywhere.
        """
        from credit_mlops.tracking.uri import DATABASES

        if self.uri.split(":", 1)[0].split("+", 1)[0].lower() in DATABASES:
            from credit_mlops.tracking import database

            database.check(
                self.uri,
                what="tracking store",
                setting=self.source,
                table=SCHEMA_TABLE if existing else None,
            )
        elif existing and self.uri.lower().startswith("sqlite:"):
            from credit_mlops.tracking.store_lock import refuse_foreign_sqlite

            refuse_foreign_sqlite(self.uri, source=self.source, table=SCHEMA_TABLE)

    def ping(self) -> None:
        """GET /health within the HTTP timeout; unreachable -> exit 3 at once."""
        import requests

        from credit_mlops.tracking.deadline import bounded

        try:
            with bounded(self.http.deadline):
                response = requests.get(self.uri.rstrip("/") + "/health", timeout=self.http.timeout)
        except requests.RequestException as exc:
            raise translate(exc, self) from exc
        if response.status_code >= 500:  # it answers: failing, not unreachable
            text = response.text.strip()
            said = answers.shown_message(text, self) if not text.startswith("<") else None
            raise answers.server_failed(self, response.status_code, said or None)
        if response.status_code == 404:  # every MLflow server answers /health
            raise answers.not_a_server(self, "GET /health: 404")


@contextlib.contextmanager
def quiet_mlflow() -> Iterator[None]:
    """Silence MLflow's notes that are not the user's concern, for one block.

    Its deprecation notices (registry stages), its hint that integer columns cannot hold
    missing values (our schema forbids them) and its guess about the dataset source.
    """
    import logging

    # MLflow's SQL store logs each database error with its whole trace before raising it;
    # the error itself reaches the user as our one line (see translate).
    # Likewise Databricks' client logs its failed credential lookup before raising it, and
    # the REST client an answer that is not JSON. The registry says at INFO that it waits
    # for each new version: stderr carries only our own lines.
    quiet = {
        "mlflow.store.db.utils": logging.CRITICAL,
        "mlflow.utils.databricks_utils": logging.CRITICAL,
        "mlflow.utils.rest_utils": logging.CRITICAL,
        "mlflow.store.model_registry.abstract_store": logging.WARNING,
    }
    logs = [logging.getLogger(name) for name in quiet]
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(max(quiet[log.name], log.getEffectiveLevel()))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module="mlflow")
        warnings.filterwarnings("ignore", category=FutureWarning, message=".*registry stages.*")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*Integer columns in Python.*")
        warnings.filterwarnings("ignore", message=".*dataset source can be interpreted.*")
        try:
            yield
        finally:
            for log, level in zip(logs, levels, strict=True):
                log.setLevel(level)


def error_code(exc: BaseException) -> str:
    return str(getattr(exc, "error_code", "") or "")


def translate(
    exc: BaseException, conn: Connection, *, partial_run_id: str | None = None
) -> CreditError:
    """Map an MLflow or network failure to our hierarchy (the one place that does)."""
    shown = conn.shown_uri
    code = error_code(exc)
    if code in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        user = conn.credentials.username or "the configured user"
        verb = "authentication failed" if code == "UNAUTHENTICATED" else "permission refused"
        return AuthError(
            f"{verb} for {user} at {shown}; check MLFLOW_TRACKING_USERNAME / "
            "MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)",
            partial_run_id=partial_run_id,
        )
    schema = re.search(r"found version (\S+), but expected (\S+?)\)", str(exc))
    if schema is not None:  # MLflow's _verify_schema: a store another MLflow version wrote
        from importlib.metadata import version

        return InputError(
            f"the tracking store {shown} has schema version {schema[1]}, not {schema[2]}, "
            f"the one this MLflow ({version('mlflow')}) expects: another MLflow version "
            "wrote it; use that version, or, if it is older, back the store up and run "
            f"`mlflow db upgrade {shown}`"
        )
    answered = answers.answered(exc, conn, partial_run_id)  # not MLflow's, or failing
    if answered is not None:
        return answered
    chain: BaseException | None = exc
    while chain is not None:
        if type(chain).__module__.startswith("sqlalchemy"):  # a SQL store's own failure
            from credit_mlops.tracking import database

            error = database.translate(conn.uri, chain, what="tracking store", setting=conn.source)
            if isinstance(error, TrackingError):
                error.partial_run_id = partial_run_id
            return error
        if type(chain).__name__ == "AnswerTooSlow":
            from credit_mlops.tracking.deadline import too_slow

            return too_slow(chain, shown, partial_run_id)
        if type(chain).__name__ in _UNREACHABLE:
            return TrackingUnreachableError(
                f"tracking server at {shown} is unreachable; start it (credit server start) or "
                "pick another with --mlflow-uri / MLFLOW_TRACKING_URI",
                partial_run_id=partial_run_id,
            )
        chain = chain.__cause__ or chain.__context__
    if _BROKEN.search(str(exc)):
        return TrackingUnreachableError(
            f"tracking server at {shown} went away in the middle of an answer; start it "
            "again (credit server start) or pick another with --mlflow-uri / "
            "MLFLOW_TRACKING_URI",
            partial_run_id=partial_run_id,
        )
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if shown.split(":", 1)[0].lower() == "databricks" and "credential" in message.lower():
        return AuthError(
            f"no usable Databricks credentials for {shown}; set DATABRICKS_HOST and "
            "DATABRICKS_TOKEN (or a profile in ~/.databrickscfg)",
            partial_run_id=partial_run_id,
        )
    message = answers.shown_message(message, conn)  # no secret of the URI or credentials
    return TrackingError(f"tracking at {shown} failed: {message}", partial_run_id=partial_run_id)
