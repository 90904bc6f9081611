"""Logging runs: a training run (model, dataset, artifacts, params and metrics in one batch)
and an evaluation run. Called by the facade inside `Connection.scope()`."""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from credit_mlops.errors import CreditError, TrackingError
from credit_mlops.processes.signals import interrupts_deferred
from credit_mlops.tracking.connection import Connection, translate
from credit_mlops.tracking.records import EvaluationRun, RunSpec, TrackedRun
from credit_mlops.tracking.registry import create_version

MAX_PARAMS_PER_BATCH = 100
MAX_METRICS_PER_BATCH = 900  # with 100 params, within MLflow's 1000 per batch
MODEL_NAME = "model"  # the logged model every consumer looks for
BOOSTER_NAME = "xgb_model_only"


BASE_PACKAGES = ("scikit-learn", "imbalanced-learn", "numpy", "scipy", "pandas", "skops")


def pip_requirements(extra: Sequence[str] = ()) -> list[str]:
    """Pinned requirements, given explicitly: inferring them costs ~27 s per model here.
    `extra` are the model kind's own packages (the catalog's pip_packages)."""
    names = [*BASE_PACKAGES, *(n for n in extra if n not in BASE_PACKAGES)]
    return [f"{name}=={metadata.version(name)}" for name in names]


def preload() -> None:
    """Import what logging a training run needs (skops, MLflow's sklearn flavour, signatures,
    datasets: ~1 s of CPU): `credit train` calls it while the CV folds run elsewhere."""
    import importlib

    for name in ("skops.io", "mlflow.sklearn", "mlflow.models.signature", "mlflow.data"):
        importlib.import_module(name)


def trusted_types(pipeline: object) -> list[str]:
    """The types skops must trust to load this pipeline: ours, since we built it."""
    import skops.io

    return list(skops.io.get_untrusted_types(data=skops.io.dumps(pipeline)))


def param_value(value: object) -> str:
    if isinstance(value, (dict, list, tuple)):
        text = json.dumps(value, default=str, sort_keys=True)
    else:
        text = str(value)
    return text[:6000]


def log_training_run(
    conn: Connection,
    client: Any,
    experiment_id: str,
    spec: RunSpec,
    *,
    start_time: int | None = None,
    end_time: int | None = None,
) -> tuple[str, str, str | None, str | None, str | None, float]:
    """Create a run, log all of `spec`, register if asked.

    Returns (run id, model URI, model id, registered name, registered version, seconds spent
    registering). A failure
    after the run exists ends it as FAILED and names it in the error's `partial_run_id`:
    the run may stay half-logged on a server that died, and `credit sync` ends it.
    """

    with conn.guard():
        run = client.create_run(
            experiment_id, run_name=spec.run_name, tags=dict(spec.tags), start_time=start_time
        )
    run_id: str = run.info.run_id
    try:
        with conn.scope():
            info = _log_contents(client, run, spec)
            if end_time is not None:
                client.set_terminated(run_id, "FINISHED", end_time=end_time)
            name = version = None
            registering = time.perf_counter()
            if spec.register_as:
                mv = create_version(
                    client,
                    spec.register_as,
                    info.model_uri,
                    run_id,
                    info.model_id,
                    dict(spec.version_tags),
                )
                name, version = mv.name, str(mv.version)
            registering = time.perf_counter() - registering
    except BaseException as exc:  # a Ctrl-C ends the run as KILLED, as MLflow's own runs end
        status = "KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED"
        # A second Ctrl-C waits until the status is written (it is raised right after).
        with interrupts_deferred(), contextlib.suppress(Exception), conn.scope():
            client.set_terminated(run_id, status)
        with interrupts_deferred(), contextlib.suppress(Exception), conn.scope():
            _drop_unfinished_models(client, experiment_id, run_id)
        if isinstance(exc, TrackingError):
            raise type(exc)(str(exc), partial_run_id=run_id) from exc
        if isinstance(exc, Exception):  # any failure while logging: the run goes to the outbox
            raise _logging_failure(exc, conn, client, experiment_id, run_id) from exc
        raise
    return run_id, info.model_uri, info.model_id, name, version, registering


def _logging_failure(
    exc: Exception, conn: Connection, client: Any, experiment_id: str, run_id: str
) -> CreditError:
    """A failure while logging run `run_id`, as our error: the artifact store's (a client
    library missing, its server gone) named as such, the tracking store's translated, and
    anything else in one line (the caller keeps the trained run in the outbox)."""
    from mlflow.exceptions import MlflowException
    from requests import RequestException

    from credit_mlops.tracking import answers
    from credit_mlops.tracking.artifact_store import location_of, logging_failure

    location = ""
    with contextlib.suppress(Exception), conn.scope():
        location = location_of(client, experiment_id)
    error = logging_failure(exc, conn.experiment, location, run_id)
    if error is not None:
        return error
    if isinstance(exc, (MlflowException, RequestException, OSError)):
        return translate(exc, conn, partial_run_id=run_id)
    said = str(exc).strip().splitlines()
    reason = answers.shown_message(said[0], conn) if said else ""
    return TrackingError(
        f"logging the run to {conn.shown_uri} failed ({type(exc).__name__}"
        f"{': ' + reason if reason else ''})",
        partial_run_id=run_id,
    )


def _drop_unfinished_models(client: Any, experiment_id: str, run_id: str) -> None:
    """The models this failed run began to log and never finished (status not READY): their
    files go (a full disk gets its space back), the entry with them; the model itself is
    whole in the outbox, for `credit sync`."""
    import shutil
    from urllib.parse import unquote, urlparse

    from credit_mlops.tracking.queries import quote

    found = client.search_logged_models(
        experiment_ids=[experiment_id], filter_string=f"source_run_id = {quote(run_id)}"
    )
    for model in found:
        if str(getattr(model.status, "name", model.status)) == "READY":
            continue  # whole: a version may point at it
        location = str(model.artifact_location or "")
        if location.startswith("file:"):  # .../models/<model id>/artifacts: the model's own
            folder = Path(unquote(urlparse(location).path))
            own = folder.parent if folder.parent.name == model.model_id else folder
            shutil.rmtree(own, ignore_errors=True)
        client.delete_logged_model(model.model_id)


def _log_contents(client: Any, run: Any, spec: RunSpec) -> Any:
    import mlflow
    from mlflow.entities import Metric, Param

    from credit_mlops.tracking import portable

    run_id = run.info.run_id
    with mlflow.start_run(run_id=run_id):
        # The model first: logged after the metrics, MLflow would fetch each metric's
        # history (one request per metric) to link it to the model.
        # One model, two flavours: sklearn's predict() is the decision (1 = bad = reject),
        # the pyfunc gives P(bad), decision, score and reasons (credit_runtime).
        info = portable.log_spec_model(
            spec, MODEL_NAME, trusted_types(spec.pipeline), pip_requirements
        )
        if spec.booster is not None:
            import mlflow.xgboost

            mlflow.xgboost.log_model(
                spec.booster, name=BOOSTER_NAME, pip_requirements=pip_requirements(["xgboost"])
            )
        dataset = mlflow.data.from_pandas(  # type: ignore[attr-defined]
            spec.dataset, source=spec.dataset_source, name=spec.dataset_name
        )
        mlflow.log_input(dataset, context="training")
        _log_json_artifacts(spec.artifacts)
        # Params and metrics in one request; metrics linked to the logged model.
        stamp = run.info.start_time
        params = [Param(k, param_value(v)) for k, v in spec.params.items()]
        metrics = [
            Metric(k, float(v), stamp, 0, model_id=info.model_id, run_id=run_id)
            for k, v in spec.metrics.items()
        ] + [
            Metric(k, float(v), stamp, step, model_id=info.model_id, run_id=run_id)
            for k, values in spec.histories.items()
            for step, v in enumerate(values)
        ]
        # MLflow takes 100 params and 1000 entities per batch: the fold histories
        # (~100 metrics) still fit in the one request.
        p, m = MAX_PARAMS_PER_BATCH, MAX_METRICS_PER_BATCH
        for b in range(max(-(-len(params) // p), -(-len(metrics) // m), 1)):
            client.log_batch(
                run_id, metrics=metrics[b * m : (b + 1) * m], params=params[b * p : (b + 1) * p]
            )
    return info


def _log_json_artifacts(artifacts: Mapping[str, object]) -> None:
    """All JSON artifacts in one upload call (log_dict looks the run up once per file)."""
    import mlflow

    from credit_mlops.files import inside

    with tempfile.TemporaryDirectory(prefix="credit-artifacts-") as tmp:
        for path, content in artifacts.items():
            target = inside(Path(path), Path(tmp), what="artifact")  # never outside the upload
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(content, indent=2, default=str))
        mlflow.log_artifacts(tmp)


def log_evaluation_run(client: Any, evaluation: EvaluationRun) -> str:
    """One finished run holding an evaluation's metrics and files; returns its id."""
    from mlflow.entities import Metric

    created = client.create_run(
        evaluation.experiment_id, run_name=evaluation.run_name, tags=dict(evaluation.tags)
    )
    rid: str = created.info.run_id
    now = int(time.time() * 1000)
    try:
        metrics = [Metric(k, v, now, 0) for k, v in evaluation.metrics.items()]
        client.log_batch(rid, metrics=metrics)
        _log_own_files(client, rid, Path(evaluation.folder), evaluation.artifact_path)
    except BaseException as exc:  # a failure or Ctrl-C never leaves the run RUNNING
        with interrupts_deferred(), contextlib.suppress(Exception):
            client.set_terminated(rid, "KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED")
        raise
    client.set_terminated(rid, "FINISHED")
    return rid


def _log_own_files(client: Any, run_id: str, folder: Path, artifact_path: str) -> None:
    """The files of `folder` this process wrote (`written.written_in`): never a user's other
    files there, nor the store when it lies inside the folder."""
    from credit_mlops.written import written_in

    for path in written_in(folder):
        parent = path.parent.relative_to(folder.resolve()).as_posix()
        where = artifact_path if parent == "." else f"{artifact_path}/{parent}"
        client.log_artifact(run_id, str(path), where)


def tracked(
    conn: Connection,
    experiment_id: str,
    logged: tuple[str, str, str | None, str | None, str | None, float],
) -> TrackedRun:
    run_id, model_uri, model_id, name, version, registering = logged
    run_url, exp_url = urls(conn, experiment_id, run_id)
    return TrackedRun(
        run_id=run_id,
        experiment_id=experiment_id,
        model_uri=model_uri,
        registered_name=name,
        registered_version=version,
        run_url=run_url,
        experiment_url=exp_url,
        model_id=model_id,
        register_seconds=registering,
    )


def urls(conn: Connection, experiment_id: str, run_id: str) -> tuple[str | None, str | None]:
    if not conn.is_remote:
        return None, None
    base = conn.shown_uri.rstrip("/")
    return (
        f"{base}/#/experiments/{experiment_id}/runs/{run_id}",
        f"{base}/#/experiments/{experiment_id}",
    )
