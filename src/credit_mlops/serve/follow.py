"""Which model is served, and following the registry while serving.

`Holder.current` is swapped in one assignment: a request takes the model once when it
starts and decides with it to the end, so a promotion never splits a request between two
versions and never fails one in flight. A new version that fails to load leaves the old one
serving; the failure is kept (`Holder.failure`) for /readyz, /v1/model and the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from credit_mlops.errors import CreditError
from credit_mlops.lifecycle.resolve import ModelRef
from credit_mlops.serve.scorer import Scorer

log = logging.getLogger("credit.serve")

Resolver = Callable[[], ModelRef]  # where the target points now
Loader = Callable[[ModelRef], Scorer]
Listener = Callable[["Served | None", "Failure | None"], None]  # after each load or failure


@dataclass(frozen=True)
class Served:
    """A loaded model and where it came from."""

    ref: ModelRef
    scorer: Scorer
    since: str  # when it started serving (UTC, ISO 8601)

    @property
    def version(self) -> str:
        return self.ref.version or ""


@dataclass(frozen=True)
class Failure:
    """A version that was found but could not be served."""

    version: str
    message: str
    when: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Holder:
    """The served model, the last load failure, and the thread that follows the target."""

    def __init__(
        self, target: str, resolve: Resolver, load: Loader, listener: Listener | None = None
    ) -> None:
        self.target = target
        self._resolve = resolve
        self._load = load
        self._listener = listener
        self.current: Served | None = None
        self.failure: Failure | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> bool:
        """Look the target up once; load and swap in a new model. True if it changed."""
        ref = self._resolve()
        now = self.current
        if now is not None and (now.ref.uri, now.ref.run_id) == (ref.uri, ref.run_id):
            return False
        failed = self.failure
        if failed is not None and failed.version == (ref.version or ref.uri):
            return False  # the same broken version: tried once, not reloaded every poll
        try:
            scorer = self._load(ref)
        except Exception as exc:  # any load failure keeps the old model serving
            reason = str(exc) if isinstance(exc, CreditError) else f"{type(exc).__name__}: {exc}"
            self.failure = Failure(ref.version or ref.uri, reason.splitlines()[0][:500], _now())
            if now is not None:  # before the first model, the command itself says it
                log.error(
                    "cannot serve %s: %s; still serving %s",
                    ref.label,
                    self.failure.message,
                    now.ref.label,
                )
            self._notify()
            return False
        self.current = Served(ref, scorer, _now())
        self.failure = None
        log.info("serving %s (run %s)", ref.label, ref.run_id)
        self._notify()
        return True

    def _notify(self) -> None:
        if self._listener is not None:
            self._listener(self.current, self.failure)

    def follow(self, every: float) -> None:
        """Poll the target every `every` seconds in a daemon thread until `stop`."""

        def loop() -> None:
            while not self._stop.wait(every):
                try:
                    self.refresh()
                except CreditError as exc:  # the registry is away: keep serving, say so
                    log.warning("cannot look up %s: %s", self.target, exc)
                except Exception:  # a bug must not end the following: logged, tried again
                    log.exception("following %s failed", self.target)

        self._thread = threading.Thread(target=loop, name="credit-serve-follow", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
