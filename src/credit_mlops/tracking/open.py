"""Opening the tracking store a command's settings name: URI, experiment, credentials and
HTTP policy all come from the settings object, never from the process environment."""

from __future__ import annotations

from credit_mlops.config.settings import Settings
from credit_mlops.errors import NotFoundError
from credit_mlops.tracking.connection import Connection, Credentials, HttpPolicy
from credit_mlops.tracking.mlflow_tracker import Tracker
from credit_mlops.tracking.store import TrackingStore
from credit_mlops.tracking.uri import (
    TrackingUri,
    check_store_folder,
    parse,
    refuse_files_in_the_way,
    source_label,
)


def target(settings: Settings, *, check_folder: bool = True, create: bool = True) -> TrackingUri:
    """The settings' tracking URI parsed and checked; exit 2 naming the setting it came from.

    A local store's folder must exist: only the project's own store folder is created.
    """
    source = source_label(settings.provenance.get("tracking.uri"))
    parsed = parse(settings.tracking_uri, source=source)
    refuse_files_in_the_way(parsed, source=source)  # even where a missing store is fine
    if check_folder:
        default = settings.tracking.store_path(settings.root)
        check_store_folder(parsed, source=source, default_folder=default, create=create)
    return parsed


def store_exists(settings: Settings) -> bool:
    """False only for a local store that has not been created yet."""
    db = target(settings, check_folder=False).sqlite_path
    return db is None or db.exists()


def connection(settings: Settings) -> Connection:
    t = settings.tracking
    return Connection(
        source=source_label(settings.provenance.get("tracking.uri")),
        uri=settings.tracking_uri,
        experiment=t.experiment,
        artifact_root=None if t.uri else t.store_path(settings.root) / "artifacts",
        http=HttpPolicy(
            t.http_max_retries, t.http_timeout, t.http_backoff_factor, t.http_backoff_jitter
        ),
        credentials=Credentials(
            username=t.username,
            password=t.password.get_secret_value() if t.password else None,
            token=t.token.get_secret_value() if t.token else None,
        ),
    )


def open_tracker(settings: Settings, *, existing: bool = False) -> TrackingStore:
    """The Tracker for the settings' URI and experiment.

    With `existing`, a local store that does not exist yet is an error, not a new store:
    commands that only read or change what training wrote have nothing to work on.
    """
    uri = settings.tracking_uri
    if existing and not store_exists(settings):
        raise NotFoundError(
            f"no tracking store at {uri} yet; run `credit train` first or pick another "
            "with --mlflow-uri / --profile"
        )
    target(settings)
    trust = settings.tracking.trust_models_that_run_code
    tracker = Tracker(connection(settings), trust_models_that_run_code=trust, existing=existing)
    if tracker.is_remote:
        tracker.ping()  # one quick request: a server that is not there fails fast
    return tracker
