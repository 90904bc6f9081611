"""`credit sync`: upload what the outbox kept while the tracking server was away.

Idempotent: each entry carries an id, set as a tag on the run it becomes. A run already
complete on the server is not created again; one left incomplete by an earlier sync is
deleted and redone. An entry is removed only after the server confirmed all of it. One
sync at a time uploads an outbox (`outbox_lock`): a second one started meanwhile would
take the entries the first is uploading for half-done runs of its own and delete them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from credit_mlops.errors import InputError, NotFoundError, TrackingError
from credit_mlops.tracking.store import TrackingStore
from credit_mlops.train.outbox import (
    COMPLETE_TAG,
    OUTBOX_TAG,
    RECORD,
    check_entry,
    entries,
    read_spec,
)
from credit_mlops.train.outbox_check import read_record


@dataclass(frozen=True)
class SyncResult:
    entry: str
    run_name: str
    status: str  # synced | already synced | failed | ended (a run whose process is gone)
    run_id: str | None = None
    registered: str | None = None
    error: str | None = None
    exit_code: int = 0


def sync(
    store: TrackingStore,
    outbox: Path,
    progress: Callable[[str], None] | None = None,
    *,
    trust_code: bool = False,
) -> list[SyncResult]:
    """Upload each entry; `trust_code` (tracking.trust_models_that_run_code) also takes an
    entry kept before records carried the digests of their files."""
    results = []
    for entry in entries(outbox):
        result = _sync_one(store, entry, trust_code)
        if result.status != "failed":  # only once the server has all of it
            result = _remove(entry, result)
        results.append(result)
        if progress:
            progress(entry.name)
    return results + end_orphans(store)


def _remove(entry: Path, result: SyncResult) -> SyncResult:
    """Remove a synced entry. The record goes first: a removal cut short leaves no entry
    missing its files (one that every later sync would refuse), only a folder sync passes
    over. A folder that cannot be removed (read-only, busy) does not undo the upload: it is
    said, and a later sync finds the run already there and tries the removal again."""
    try:
        (entry / RECORD).unlink(missing_ok=True)
        shutil.rmtree(entry)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        return replace(
            result, error=f"uploaded, but {entry} could not be removed ({why}); remove it by hand"
        )
    return result


def end_orphans(store: TrackingStore) -> list[SyncResult]:
    """End the experiment's runs left RUNNING by a `credit` process of this host that is
    gone (`tracking.orphans`: a training run FAILED, a tune parent KILLED)."""
    from credit_mlops.tracking.orphans import end_orphans as end_gone

    return [
        SyncResult("", run.run_name, "ended", run.run_id, error=run.note)
        for run in end_gone(store, by="credit sync")
    ]


def _sync_one(store: TrackingStore, entry: Path, trust_code: bool) -> SyncResult:
    try:
        record = read_record(entry, RECORD)
    except InputError as exc:
        return SyncResult(entry.name, entry.name, "failed", error=str(exc), exit_code=exc.exit_code)
    name = record["run_name"]
    try:
        # All of the entry is checked before the store is touched: a forged or damaged
        # entry creates no run (and no FAILED one on every retry), ends none, deletes none.
        files = check_entry(entry, record, trust_code=trust_code)
    except InputError as exc:
        return SyncResult(entry.name, name, "failed", error=str(exc), exit_code=exc.exit_code)
    kept_for = record.get("store")
    if kept_for and kept_for != store.shown_uri:  # a run goes to the store it was made for
        return SyncResult(
            entry.name,
            name,
            "failed",
            error=(
                f"kept for the tracking store {kept_for}, not {store.shown_uri}; sync it "
                f"there: credit sync --mlflow-uri {kept_for} (its credentials in the "
                "environment, as when it was trained)"
            ),
            exit_code=2,
        )
    try:
        # Everything comes from the entry itself: the experiment it was trained for, not
        # the one the current settings name.
        in_experiment = store.in_experiment(record["experiment"])
        in_experiment.check()  # e.g. an experiment deleted since: one line, nothing created
        return _sync_entry(in_experiment, entry, record, files)
    except (TrackingError, InputError) as exc:
        return SyncResult(entry.name, name, "failed", error=str(exc), exit_code=exc.exit_code)


def _sync_entry(
    store: TrackingStore, entry: Path, record: Mapping[str, Any], files: Mapping[str, bytes]
) -> SyncResult:
    partial = record.get("partial_run_id")
    if partial:
        _end_as_failed(store, partial)
    found = store.runs_tagged(OUTBOX_TAG, record["id"])
    complete = [r for r in found if r.tags.get(COMPLETE_TAG) == "true"]
    for run in found:
        if run not in complete:
            store.delete_run(run.run_id)  # a half-done earlier sync: redo it
    if complete:
        run_id = complete[0].run_id
        registered = _register_once(store, run_id, record)
        return SyncResult(entry.name, record["run_name"], "already synced", run_id, registered)

    created = int(record["created"] * 1000)
    tracked = store.log_training_run(
        read_spec(entry, record, files=files),
        start_time=created,
        end_time=created + 1,
    )
    store.set_run_tag(tracked.run_id, COMPLETE_TAG, "true")
    registered = _register_once(store, tracked.run_id, record, tracked.model_uri, tracked.model_id)
    return SyncResult(entry.name, record["run_name"], "synced", tracked.run_id, registered)


def _end_as_failed(store: TrackingStore, run_id: str) -> None:
    run = store.get_run(run_id)
    if run is not None and run.status == "RUNNING":
        store.end_run(run_id, "FAILED")
        store.set_run_tag(run_id, "credit.superseded_by", "outbox sync")


def _register_once(
    store: TrackingStore,
    run_id: str,
    record: Mapping[str, Any],
    model_uri: str | None = None,
    model_id: str | None = None,
) -> str | None:
    name = record.get("register_as")
    if not name:
        return None
    for v in store.versions_of_runs([run_id]):
        if v.name == name:
            return f"{name} v{v.version}"
    if model_uri is None:
        run = store.get_run(run_id)
        logged = store.run_logged_model(run) if run else None
        if logged is None:
            raise NotFoundError(f"run '{run_id}' has no logged model named 'model' to register")
        model_uri, model_id = logged.uri, logged.model_id
    mv = store.register(name, model_uri, run_id, model_id, dict(record["version_tags"]))
    return f"{name} v{mv.version}"


LOCK_FILE = ".sync.lock"  # in the outbox; not an entry (entries are folders)


class OutboxBusy(Exception):
    """Another `credit sync` holds the outbox: nothing is wrong and nothing is lost."""

    def __init__(self, outbox: Path, pid: str | None) -> None:
        who = f"another credit sync (process {pid})" if pid else "another credit sync"
        super().__init__(
            f"{who} is uploading {outbox} now; nothing to do here: its entries are that "
            "sync's to upload"
        )


@contextmanager
def outbox_lock(outbox: Path) -> Iterator[None]:
    """Hold `outbox` for one sync: an exclusive lock (flock, released when the process ends,
    however it ends) on its lock file, made 0600; OutboxBusy at once if another sync holds
    it. An outbox that does not exist has nothing to upload and is not made for the lock;
    one whose lock file cannot be made (a read-only folder) is synced without it."""
    import fcntl

    fd = _lock_file(outbox / LOCK_FILE) if outbox.is_dir() else None
    if fd is None:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 20, 0).decode("ascii", "replace").strip()
            raise OutboxBusy(outbox, pid if pid.isascii() and pid.isdigit() else None) from None
        try:  # who holds it, for the message of a sync started meanwhile
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # the lock holds without it
        yield
    finally:
        os.close(fd)


def _lock_file(path: Path) -> int | None:
    import errno
    import stat

    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return None
        why = "a symbolic link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        raise InputError(f"{path} cannot be credit sync's lock ({why}): remove it") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)  # a hard link's other name is a file of the user's: never written
        raise InputError(
            f"{path} is not a regular file of its own (a device, a pipe, or a hard link to "
            "another file), so not credit sync's lock: remove it"
        )
    return fd
