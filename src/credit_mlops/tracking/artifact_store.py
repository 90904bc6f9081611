"""Where an experiment's run files go (its artifact location), checked before training:
the client library MLflow needs for that scheme is installed, and a network location
answers a connection within `tracking.http_timeout`. A failure while files are written
there is named as the artifact store's, never taken for the tracking store's."""

from __future__ import annotations

import importlib.util
import socket
import traceback
from typing import Any
from urllib.parse import urlsplit

from credit_mlops.errors import InputError, TrackingError, TrackingUnreachableError
from credit_mlops.redaction import redact, scrub

# scheme -> (modules MLflow's artifact repository imports, what to install)
# (mlflow/store/artifact/artifact_repository_registry.py lists the schemes)
LIBRARIES: dict[str, tuple[tuple[str, ...], str]] = {
    "s3": (("boto3",), "boto3"),
    "r2": (("boto3",), "boto3"),
    "b2": (("boto3",), "boto3"),
    "gs": (("google.cloud.storage",), "google-cloud-storage"),
    "wasbs": (("azure.storage.blob", "azure.identity"), "azure-storage-blob azure-identity"),
    "abfss": (
        ("azure.storage.filedatalake", "azure.identity"),
        "azure-storage-file-datalake azure-identity",
    ),
    "hdfs": (("pyarrow",), "pyarrow"),
    "viewfs": (("pyarrow",), "pyarrow"),
    "sftp": (("pysftp", "paramiko"), "pysftp"),
}
# schemes reached over a plain TCP connection, and their default ports
PORTS = {"ftp": 21, "sftp": 22, "hdfs": 8020}
# a failure whose trace passes through these files is the artifact store's
_ARTIFACT_CODE = ("/mlflow/store/artifact/", "/ftplib.py", "/boto3/", "/botocore/")
_NETWORK = ("ConnectionRefusedError", "TimeoutError", "gaierror", "ConnectionResetError")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package (google, azure)
        return False


def check_location(experiment: str, location: str, timeout: float) -> None:
    """The experiment's run files can be written at `location` (exit 2 or 3 otherwise)."""
    scheme = location.split("://", 1)[0].lower() if "://" in location else ""
    shown = redact(location)
    modules, package = LIBRARIES.get(scheme, ((), ""))
    missing = [m for m in modules if not _installed(m)]
    if missing:
        raise InputError(
            f"the run files of experiment {experiment!r} go to {shown}, and {scheme}:// "
            f"needs {', '.join(missing)}, which is not installed; install it (pip install "
            f"{package}) or pick another experiment (--mlflow-experiment)"
        )
    if scheme not in PORTS:
        return
    try:
        parts = urlsplit(location)
        host, port = parts.hostname, parts.port or PORTS[scheme]
    except ValueError as exc:
        raise InputError(
            f"the run files of experiment {experiment!r} go to {shown}, which is no usable "
            f"address ({exc}); pick another experiment (--mlflow-experiment)"
        ) from None
    if not host:
        return  # hdfs:///path: the cluster's default name node, known to pyarrow only
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise unreachable(experiment, shown, exc.strerror or str(exc) or "no answer") from None


def unreachable(
    experiment: str, shown: str, reason: str, partial_run_id: str | None = None
) -> TrackingUnreachableError:
    return TrackingUnreachableError(
        f"the run files of experiment {experiment!r} go to {shown}, which is unreachable "
        f"({reason}); start that server, or pick another experiment (--mlflow-experiment)",
        partial_run_id=partial_run_id,
    )


def location_of(client: Any, experiment_id: str) -> str:
    return str(client.get_experiment(experiment_id).artifact_location or "")


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in found:
        found.append(link)
        link = link.__cause__ or link.__context__
    return found


def from_artifact_store(exc: BaseException) -> bool:
    """Whether the failure arose in writing run files (an artifact repository's code)."""
    for link in _chain(exc):
        for frame in traceback.extract_tb(link.__traceback__):
            if any(part in frame.filename.replace("\\", "/") for part in _ARTIFACT_CODE):
                return True
    return False


def logging_failure(
    exc: BaseException, experiment: str, location: str, run_id: str
) -> TrackingError | None:
    """A failure writing the run files of `experiment`, named as the artifact store's; None
    when it arose elsewhere."""
    chain = _chain(exc)
    if not (from_artifact_store(exc) or any(isinstance(e, ImportError) for e in chain)):
        return None
    shown = redact(location) if location else "its artifact location"
    if any(type(e).__name__ in _NETWORK for e in chain):
        reason = next(str(e) for e in chain if type(e).__name__ in _NETWORK) or "no answer"
        return unreachable(experiment, shown, scrub(reason, location), run_id)
    first = str(exc).strip().splitlines()
    reason = f"{type(exc).__name__}: {first[0]}" if first else type(exc).__name__
    reason = scrub(reason, location) if location else reason
    return TrackingError(
        f"the run files of experiment {experiment!r} could not be written to {shown} "
        f"({reason}); fix that location or pick another experiment (--mlflow-experiment)",
        partial_run_id=run_id,
    )
