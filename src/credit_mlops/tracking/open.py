"""Opening the tracking store a command's settings name: URI, experiment, credentials and
HTTP policy all come from the settings object, never from the process environment."""

from __future__ import annotations

from pathlib import Path

from credit_mlops.config.settings import Settings
from credit_mlops.errors import NotFoundError
from credit_mlops.tracking.connection import Connection, Credentials, HttpPolicy
from credit_mlops.tracking.facade import Tracker


def connection(settings: Settings) -> Connection:
    t = settings.tracking
    return Connection(
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


def open_tracker(settings: Settings, *, existing: bool = False) -> Tracker:
    """The Tracker for the settings' URI and experiment.

    With `existing`, a local store that does not exist yet is an error, not a new store:
    commands that only read or change what training wrote have nothing to work on.
    """
    uri = settings.tracking_uri
    if existing and uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///") :]).exists():
        raise NotFoundError(
            f"no tracking store at {uri} yet; run `credit train` first or pick another "
            "with --mlflow-uri / --profile"
        )
    tracker = Tracker(connection(settings))
    if tracker.is_remote:
        tracker.ping()  # one quick request: a server that is not there fails fast
    return tracker
