"""The only module that talks to MLflow.

Third-party failures are wrapped where they happen: a refused or silent server becomes
TrackingUnreachableError (exit 3), refused credentials AuthError (exit 4).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from credit_mlops.config.masking import is_http, redact
from credit_mlops.errors import AuthError, InputError, TrackingError, TrackingUnreachableError

MAX_PARAMS_PER_BATCH = 100


@dataclass(frozen=True)
class HttpPolicy:
    """MLflow's own retry and timeout settings (MLFLOW_HTTP_REQUEST_*)."""

    max_retries: int = 1
    timeout: int = 4
    backoff_factor: int = 1
    backoff_jitter: float = 0.0

    def environ(self) -> dict[str, str]:
        return {
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": str(self.max_retries),
            "MLFLOW_HTTP_REQUEST_TIMEOUT": str(self.timeout),
            "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": str(self.backoff_factor),
            "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER": str(self.backoff_jitter),
        }


@dataclass(frozen=True)
class RunSpec:
    """Everything one training run logs."""

    run_name: str
    params: dict[str, Any]
    metrics: dict[str, float]
    tags: dict[str, str]
    pipeline: Any
    input_example: Any
    dataset: Any  # the training frame, logged as an MLflow dataset input
    dataset_source: str
    dataset_name: str
    artifacts: dict[str, Any]  # artifact path -> JSON-able object
    register_as: str | None
    version_tags: dict[str, str]
    booster: Any = None  # for xgboost: the bare booster, logged as xgb_model_only


@dataclass(frozen=True)
class TrackedRun:
    run_id: str
    experiment_id: str
    model_uri: str
    registered_name: str | None
    registered_version: str | None
    run_url: str | None
    experiment_url: str | None
    model_id: str | None = None


def pip_requirements(with_xgboost: bool) -> list[str]:
    """Pinned requirements, given explicitly: inferring them costs ~27 s per model here."""
    names = ["scikit-learn", "imbalanced-learn", "numpy", "scipy", "pandas", "skops"]
    if with_xgboost:
        names.append("xgboost")
    return [f"{name}=={metadata.version(name)}" for name in names]


@contextlib.contextmanager
def _quiet_mlflow() -> Iterator[None]:
    """Silence MLflow's notes that are not the user's concern, for one block.

    Its deprecation notices (registry stages), its hint that integer columns cannot hold
    missing values (our schema forbids them) and its guess about the dataset source.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module="mlflow")
        warnings.filterwarnings("ignore", category=FutureWarning, message=".*registry stages.*")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*Integer columns in Python.*")
        warnings.filterwarnings("ignore", message=".*dataset source can be interpreted.*")
        yield


def _wrap(exc: BaseException, uri: str) -> TrackingError:
    """Map an MLflow or requests failure to our hierarchy."""
    shown = redact(uri)
    code = getattr(exc, "error_code", "")
    if code in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        user = os.environ.get("MLFLOW_TRACKING_USERNAME", "the configured user")
        verb = "authentication failed" if code == "UNAUTHENTICATED" else "permission refused"
        return AuthError(
            f"{verb} for {user} at {shown}; check MLFLOW_TRACKING_USERNAME / "
            "MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)"
        )
    chain: BaseException | None = exc
    while chain is not None:
        name = type(chain).__name__
        if name in (
            "ConnectionError",
            "ConnectTimeout",
            "ReadTimeout",
            "Timeout",
            "MaxRetryError",
            "NewConnectionError",
            "ConnectionRefusedError",
        ):
            return TrackingUnreachableError(
                f"tracking server at {shown} is unreachable; start it (make server) or "
                "pick another with --mlflow-uri / MLFLOW_TRACKING_URI"
            )
        chain = chain.__cause__ or chain.__context__
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return TrackingError(f"tracking at {shown} failed: {message}")


class Tracker:
    """One tracking URI and experiment; opened once per command."""

    def __init__(
        self,
        uri: str,
        experiment: str,
        *,
        artifact_root: Path | None = None,
        http: HttpPolicy | None = None,
    ) -> None:
        self.uri = uri
        self.experiment = experiment
        self.artifact_root = artifact_root
        os.environ.update((http or HttpPolicy()).environ())
        # MLflow configures its loggers when imported; INFO lines (store migrations,
        # "Created version") would interleave with our own output.
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
        # MLflow writes "View run at" lines to stdout for server URIs; our summary has them,
        # and stdout must stay clean for --json.
        os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
        if uri.startswith("sqlite:///"):
            Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        with _quiet_mlflow():
            from mlflow import MlflowClient

            # Our venvs may have no pip; MLflow warns about it on every model it logs.
            logging.getLogger("mlflow.utils.environment").setLevel(logging.ERROR)
            self.client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        self._experiment_id: str | None = None
        self._reachable = False

    @contextlib.contextmanager
    def fluent(self) -> Iterator[None]:
        """Point MLflow's process-wide (fluent) API at this URI for one block, then restore.

        `mlflow.set_tracking_uri` also writes MLFLOW_TRACKING_URI into the environment; left
        there it would silently redirect every later settings load in this process.
        """
        import mlflow

        names = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
        saved = {name: os.environ.get(name) for name in names}
        mlflow.set_tracking_uri(self.uri)
        mlflow.set_registry_uri(self.uri)
        try:
            yield
        finally:
            mlflow.set_tracking_uri(saved["MLFLOW_TRACKING_URI"])  # type: ignore[arg-type]
            mlflow.set_registry_uri(saved["MLFLOW_REGISTRY_URI"])  # type: ignore[arg-type]
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)

    @property
    def is_remote(self) -> bool:
        return is_http(self.uri)

    def ping(self) -> None:
        """GET /health within the HTTP timeout; unreachable -> exit 3 at once."""
        import requests

        if self._reachable:
            return
        timeout = float(os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT", "4"))
        try:
            response = requests.get(self.uri.rstrip("/") + "/health", timeout=timeout)
        except requests.RequestException as exc:
            raise _wrap(exc, self.uri) from exc
        if response.status_code >= 500:
            raise TrackingUnreachableError(
                f"tracking server at {self.shown_uri} answers {response.status_code}; "
                "check its logs"
            )
        self._reachable = True

    @property
    def shown_uri(self) -> str:
        return redact(self.uri)

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Translate any MLflow or network failure inside the block."""
        from mlflow.exceptions import MlflowException
        from requests import RequestException

        try:
            # MLflow resolves some URIs (a version's models:/ source) through its global
            # tracking URI, so the block runs with it pointing here.
            with _quiet_mlflow(), self.fluent():
                yield
        except (MlflowException, RequestException, OSError) as exc:
            raise _wrap(exc, self.uri) from exc

    def check(self) -> None:
        """Fail fast before minutes of training: reach the server or open the store."""
        if self.is_remote:
            self.ping()
        self.experiment_id()

    def experiment_id(self, create: bool = True) -> str:
        if self._experiment_id is not None:
            return self._experiment_id
        with self.guard():
            exp = self.client.get_experiment_by_name(self.experiment)
            if exp is None:
                if not create:
                    from credit_mlops.errors import NotFoundError

                    raise NotFoundError(f"experiment '{self.experiment}' does not exist")
                location = self.artifact_root.resolve().as_uri() if self.artifact_root else None
                self._experiment_id = self.client.create_experiment(
                    self.experiment, artifact_location=location
                )
            else:
                self._experiment_id = exp.experiment_id
        return self._experiment_id

    def find_experiment(self, name: str) -> Any:
        """The experiment, or NotFoundError naming the ones that exist."""
        from credit_mlops.errors import NotFoundError

        with self.guard():
            exp = self.client.get_experiment_by_name(name)
            if exp is not None:
                return exp
            names = sorted(e.name for e in self.client.search_experiments(max_results=1000))
        have = ", ".join(names[:15]) + (" …" if len(names) > 15 else "") if names else "none"
        raise NotFoundError(
            f"experiment '{name}' not found at {self.shown_uri} (experiments: {have})"
        )

    def iter_runs(
        self,
        experiment_ids: list[str],
        filter_string: str = "",
        order_by: list[str] | None = None,
        page_size: int = 1000,
        first_page: int | None = None,
    ) -> Iterator[Any]:
        """Every matching run, page after page: never truncated at a page size.

        With `first_page`, pages start that small and double up to `page_size`: a caller
        that usually stops early (the newest run per model) reads little.
        """
        from mlflow.exceptions import MlflowException

        token: str | None = None
        size = min(first_page or page_size, page_size)
        while True:
            with self.guard():
                try:
                    page = self.client.search_runs(
                        experiment_ids,
                        filter_string=filter_string,
                        max_results=size,
                        order_by=order_by,
                        page_token=token,
                    )
                except MlflowException as exc:
                    if exc.error_code == "INVALID_PARAMETER_VALUE" and filter_string:
                        first = str(exc.message).splitlines()[0]
                        raise InputError(f"bad search filter '{filter_string}': {first}") from None
                    raise
            yield from page
            token = page.token
            if not token:
                return
            size = min(size * 2, page_size)

    def versions_of_runs(self, run_ids: list[str]) -> list[Any]:
        """Registered model versions whose source is one of these runs."""
        out: list[Any] = []
        for i in range(0, len(run_ids), 100):
            chunk = ", ".join(f"'{r}'" for r in run_ids[i : i + 100])
            with self.guard():
                out.extend(
                    self.client.search_model_versions(f"run_id IN ({chunk})", max_results=10000)
                )
        return out

    def aliases(self, names: set[str]) -> dict[tuple[str, str], list[str]]:
        """(model name, version) -> its aliases; search results do not carry them."""
        out: dict[tuple[str, str], list[str]] = {}
        token: str | None = None
        while True:
            with self.guard():
                page = self.client.search_registered_models(max_results=1000, page_token=token)
            for model in page:
                if model.name in names:
                    for alias, version in (model.aliases or {}).items():
                        out.setdefault((model.name, str(version)), []).append(alias)
            token = page.token
            if not token:
                return out

    def all_versions(self) -> list[Any]:
        out: list[Any] = []
        token: str | None = None
        while True:
            with self.guard():
                page = self.client.search_model_versions(max_results=10000, page_token=token)
            out.extend(page)
            token = page.token
            if not token:
                return out

    def urls(self, run_id: str) -> tuple[str | None, str | None]:
        if not is_http(self.uri):
            return None, None
        base = redact(self.uri).rstrip("/")
        exp = self.experiment_id()
        return f"{base}/#/experiments/{exp}/runs/{run_id}", f"{base}/#/experiments/{exp}"

    def log_training_run(
        self, spec: RunSpec, *, start_time: int | None = None, end_time: int | None = None
    ) -> TrackedRun:
        """Create a run and log everything of `spec` to it; register if `register_as`.

        `start_time`/`end_time` (ms) keep the original times of a run synced later.
        """
        import mlflow
        from mlflow.entities import Metric, Param
        from mlflow.models import infer_signature

        exp_id = self.experiment_id()
        with self.guard():
            run = self.client.create_run(
                exp_id,
                run_name=spec.run_name,
                tags=spec.tags,
                start_time=start_time,
            )
            run_id = run.info.run_id
            try:
                with mlflow.start_run(run_id=run_id):
                    # The model first: logged after the metrics, MLflow would fetch each
                    # metric's history (one request per metric) to link it to the model.
                    proba = spec.pipeline.predict_proba(spec.input_example)
                    signature = infer_signature(spec.input_example, proba)
                    info = mlflow.sklearn.log_model(
                        spec.pipeline,
                        name="model",
                        signature=signature,
                        input_example=spec.input_example,
                        pip_requirements=pip_requirements(spec.booster is not None),
                        serialization_format="skops",
                        skops_trusted_types=trusted_types(spec.pipeline),
                    )
                    if spec.booster is not None:
                        import mlflow.xgboost

                        mlflow.xgboost.log_model(
                            spec.booster,
                            name="xgb_model_only",
                            pip_requirements=pip_requirements(True),
                        )
                    dataset = mlflow.data.from_pandas(  # type: ignore[attr-defined]
                        spec.dataset, source=spec.dataset_source, name=spec.dataset_name
                    )
                    mlflow.log_input(dataset, context="training")
                    _log_json_artifacts(spec.artifacts)
                    # Params and metrics in one request; metrics linked to the logged model.
                    stamp = run.info.start_time
                    params = [Param(k, _param_value(v)) for k, v in spec.params.items()]
                    metrics = [
                        Metric(k, float(v), stamp, 0, model_id=info.model_id, run_id=run_id)
                        for k, v in spec.metrics.items()
                    ]
                    for i in range(0, max(len(params), len(metrics), 1), MAX_PARAMS_PER_BATCH):
                        self.client.log_batch(
                            run_id,
                            metrics=metrics[i : i + MAX_PARAMS_PER_BATCH],
                            params=params[i : i + MAX_PARAMS_PER_BATCH],
                        )
                if end_time is not None:
                    self.client.set_terminated(run_id, "FINISHED", end_time=end_time)
                name = version = None
                if spec.register_as:
                    mv = self.register_model(
                        spec.register_as,
                        info.model_uri,
                        run_id,
                        info.model_id,
                        spec.version_tags,
                    )
                    name, version = mv.name, str(mv.version)
            except BaseException as exc:
                # The run may stay half-logged on a server that died: `credit sync` ends it.
                exc.partial_run_id = run_id  # type: ignore[attr-defined]
                with contextlib.suppress(Exception):
                    self.client.set_terminated(run_id, "FAILED")
                raise
        run_url, exp_url = self.urls(run_id)
        return TrackedRun(
            run_id=run_id,
            experiment_id=exp_id,
            model_uri=info.model_uri,
            registered_name=name,
            registered_version=version,
            run_url=run_url,
            experiment_url=exp_url,
            model_id=info.model_id,
        )

    def register_model(
        self,
        name: str,
        model_uri: str,
        run_id: str,
        model_id: str | None,
        tags: dict[str, str],
    ) -> Any:
        with self.guard():
            self._ensure_registered(name)
            return self.client.create_model_version(
                name, source=model_uri, run_id=run_id, tags=tags, model_id=model_id
            )

    def _ensure_registered(self, name: str) -> None:
        from mlflow.exceptions import MlflowException

        try:
            self.client.create_registered_model(name)
        except MlflowException as exc:
            # Another process may register the same name at the same moment.
            if getattr(exc, "error_code", "") != "RESOURCE_ALREADY_EXISTS":
                raise


def _log_json_artifacts(artifacts: dict[str, Any]) -> None:
    """All JSON artifacts in one upload call (log_dict looks the run up once per file)."""
    import tempfile

    import mlflow

    with tempfile.TemporaryDirectory(prefix="credit-artifacts-") as tmp:
        for path, content in artifacts.items():
            target = Path(tmp) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(content, indent=2, default=str))
        mlflow.log_artifacts(tmp)


def trusted_types(pipeline: Any) -> list[str]:
    """The types skops must trust to load this pipeline: ours, since we built it."""
    import skops.io

    return list(skops.io.get_untrusted_types(data=skops.io.dumps(pipeline)))


def _param_value(value: Any) -> str:
    if isinstance(value, (dict, list, tuple)):
        text = json.dumps(value, default=str, sort_keys=True)
    else:
        text = str(value)
    return text[:6000]
