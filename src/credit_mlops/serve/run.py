"""Starting `credit serve`: the service built from the settings, and uvicorn around it.

One worker runs in this process. With N workers uvicorn starts N processes that each build
the service from the same settings (passed down in CREDIT_SERVE_SPEC: the profile and the
flags, never a secret; the token is read again from the environment or its file), and ends
with this process however it ends, `kill -9` too (`processes/parent.py`). SIGTERM and
Ctrl-C stop taking connections, let the requests in flight finish, and return.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import tempfile
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from credit_mlops.config.settings import Settings
from credit_mlops.errors import InputError, NotFoundError
from credit_mlops.serve.app import Limits, Service, build_app
from credit_mlops.serve.follow import Failure, Holder, Served
from credit_mlops.serve.journal import Journal, Privacy, existing_key, hash_key, journal_folder
from credit_mlops.serve.metrics import make_metrics
from credit_mlops.serve.ports import SPEC_ENV, hold_port, placeholder
from credit_mlops.serve.security import check_bind, resolve_token

log = logging.getLogger("credit.serve")


@dataclass(frozen=True)
class Launch:
    """What `credit serve` was asked for, enough for a worker process to rebuild it."""

    profile: str | None
    overrides: dict[str, dict[str, object]]  # the flags, as load_settings takes them
    target: str
    insecure: bool = False


def token_of(settings: Settings) -> str | None:
    s = settings.serve
    return resolve_token(s.token, settings.path(s.token_file) if s.token_file else None)


def alias_of(target: str) -> str | None:
    from credit_mlops.lifecycle.targets import AliasTarget, parse_target

    parsed = parse_target(target)
    return parsed.alias if isinstance(parsed, AliasTarget) else None


def make_service(settings: Settings, target: str, *, insecure: bool = False) -> Service:
    """Open the store, load the target's model (a failure here is the command's error) and
    assemble the service around it."""
    from credit_mlops.lifecycle.evaluation_target import open_target
    from credit_mlops.serve.scorer import load_scorer
    from credit_mlops.tracking.open import open_tracker

    s = settings.serve
    token = token_of(settings)
    check_bind(s.host, token, insecure)
    _check_journal_columns(settings)
    folder = journal_folder(settings)
    if s.journal and s.journal_dir is not None:  # checked before the model: the one rule
        from credit_mlops.files import output_folder  # of every folder a user names

        output_folder(folder, setting="serve.journal_dir")  # its parent must exist
    elif s.journal and (folder.exists() or folder.is_symlink()):  # the store's own folder
        from credit_mlops.files import writable_dir

        writable_dir(folder, setting="serve.journal_dir")  # a file there, or not writable
    # a key file kept there is checked at the start too: one line, before the model loads
    key = existing_key(folder) if s.journal and s.journal_hash and folder.is_dir() else None
    store = open_tracker(settings, existing=True)

    def resolve() -> Any:
        return open_target(store, target, live=True).ref

    def load(ref: Any) -> Any:
        from credit_mlops.lifecycle.resolve import get_run

        return load_scorer(store, ref, get_run(store, ref.run_id))

    metrics = make_metrics()

    def loaded(served: Served | None, failure: Failure | None) -> None:
        if failure is not None:
            metrics.load_failures.inc()
        if served is not None and served.version.isascii() and served.version.isdigit():
            metrics.model_version.labels(served.ref.name or "").set(int(served.version))

    holder = Holder(target, resolve, load, loaded)
    holder.refresh()
    if holder.current is None:
        failure = holder.failure
        raise NotFoundError(
            f"cannot serve {target}: {failure.message if failure else 'nothing to load'}"
        )
    journal = None
    if s.journal:
        if key is None:
            key = hash_key(folder) if s.journal_hash else b""
        privacy = Privacy(frozenset(s.journal_drop), frozenset(s.journal_hash), key)
        journal = Journal(folder, rotate_bytes=s.journal_rotate_bytes, privacy=privacy)
    return Service(
        holder=holder,
        journal=journal,
        metrics=metrics,
        limits=Limits(s.reasons, s.max_body_bytes, s.max_applicants),
        token=token,
        alias=alias_of(target),
        poll_seconds=s.poll_seconds,
    )


def _check_journal_columns(settings: Settings) -> None:
    """serve.journal_drop / journal_hash name columns of the data description in use (the
    team's own, not only the shipped one's), before the model loads."""
    from credit_mlops.data.locate import description
    from credit_mlops.errors import some

    columns = set(description(settings).features)
    for key in ("journal_drop", "journal_hash"):
        unknown = [c for c in getattr(settings.serve, key) if c not in columns]
        if unknown:
            raise InputError(
                f"{settings.named(f'serve.{key}')}: unknown column(s) {some(unknown)}; use "
                "the data description's names"
            )


def worker_app() -> Any:
    """uvicorn's factory in each worker process (`--workers N`): tied to its parent first,
    so that a parent killed while the model loads leaves no worker behind."""
    from credit_mlops.config.loader import load_settings
    from credit_mlops.processes.parent import end_with_recorded_parent

    end_with_recorded_parent()

    launch = Launch(**json.loads(os.environ[SPEC_ENV]))
    settings = load_settings(launch.profile, launch.overrides)
    return build_app(make_service(settings, launch.target, insecure=launch.insecure))


def _uvicorn_server() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, except that a signal that stopped it gracefully is not raised
        again afterwards: a SIGTERM'd service that finished its requests exits 0."""

        @contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            with super().capture_signals():
                try:
                    yield
                finally:
                    self._captured_signals.clear()

    return Server


def serve(settings: Settings, launch: Launch) -> None:
    """Run until SIGTERM or Ctrl-C; the first model must load or this raises."""
    import uvicorn

    s = settings.serve
    common: dict[str, Any] = {
        "host": s.host,
        "port": s.port,
        "log_level": "info",
        "access_log": False,  # one line per decision would cost more than the decision
        "timeout_graceful_shutdown": 30,
        "server_header": False,
    }
    if s.workers == 1:
        with _port(s.host, s.port, hold_port) as sock:  # taken before the model loads
            app = build_app(make_service(settings, launch.target, insecure=launch.insecure))
            _announce(s.host, s.port)
            _uvicorn_server()(uvicorn.Config(app, **common)).run(sockets=[sock])
        return
    # Refused here, before N processes each refuse it; the key made once, here, for all.
    check_bind(s.host, token_of(settings), launch.insecure)
    if s.journal and s.journal_hash:
        hash_key(journal_folder(settings))
    config = uvicorn.Config(
        "credit_mlops.serve.run:worker_app", factory=True, workers=s.workers, **common
    )
    with _worker_environment(launch), _port(s.host, s.port, placeholder) as claim:
        _announce(s.host, s.port)
        _supervisor()(config, sockets=[claim]).run()


def _supervisor() -> type:
    """uvicorn's supervisor of the workers, except that a SIGHUP (the terminal closed, an
    ssh session dropped) stops the service as SIGTERM does, finishing the requests in
    flight, instead of restarting the workers; a SIGHUP `nohup` ignored stays ignored."""
    import signal

    from uvicorn.supervisors import Multiprocess

    ignored = signal.getsignal(signal.SIGHUP) == signal.SIG_IGN

    class Supervisor(Multiprocess):
        def handle_hup(self) -> None:
            if not ignored:
                self.handle_term()

    return Supervisor


@contextmanager
def _port(
    host: str, port: int, take: Callable[[str, int], socket.socket]
) -> Generator[socket.socket, None, None]:
    """The port taken for the service (one line if it is not free), released afterwards."""
    try:
        sock = take(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            from credit_mlops.serve.ports import port_taken

            raise InputError(port_taken(port)) from exc
        raise InputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; check --host and --port"
        ) from exc
    try:
        yield sock
    finally:
        sock.close()


def _announce(host: str, port: int) -> None:
    shown = f"[{host}]" if ":" in host else host
    log.info("serving on http://%s:%d (Ctrl-C to stop)", shown, port)


@contextmanager
def _worker_environment(launch: Launch) -> Generator[None, None, None]:
    """The spec, this process's pid (the workers end with it) and a shared metrics folder
    for the worker processes, removed afterwards."""
    from credit_mlops.config.environ import scoped_environ
    from credit_mlops.processes.parent import PARENT_ENV

    with tempfile.TemporaryDirectory(prefix="credit-serve-metrics-") as folder:
        spec = {
            SPEC_ENV: json.dumps(launch.__dict__),
            PARENT_ENV: str(os.getpid()),
            "PROMETHEUS_MULTIPROC_DIR": folder,
        }
        with scoped_environ(spec):
            yield
