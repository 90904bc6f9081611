"""What `credit sync` reads back from an outbox entry is checked before it is used.

An entry is a folder anyone could have edited, truncated or dropped in: its record must
have every field with the type `credit train` wrote, its names must pass the same checks
as the flags that gave them (and every name and value the store takes as the store would
check it, so that it never refuses one after the run exists), its JSON artifacts must be
what the tool reads back from a run (`outbox_artifacts`), and its model and data files
must be regular files (never a link, a pipe or a device: reading those would never end) and
the very files written beside the record (sha256), so that nothing foreign is unpickled. Any
failure is one line naming the entry, exit 2, before the store is touched; the entry stays
for the user to inspect.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from credit_mlops import names, readback
from credit_mlops.errors import InputError
from credit_mlops.train.outbox_artifacts import check_artifacts
from credit_mlops.train.outbox_names import (
    DATASET_NAME_MAX,
    DATASET_SOURCE_MAX,
    REMOVE,
    check_metrics,
    check_model_key,
    check_packages,
    check_params,
    check_tags,
    check_version_tags,
    shown_name,
)

MODEL = "model.skops"  # an entry's files, beside its record
DATASET = "dataset.csv"
# the model of an entry kept by an older credit: a pickle, which runs code when it loads
LEGACY_MODEL = "model.joblib"

_ID = re.compile(r"[0-9a-f]{32}")
EARLIEST = 946_684_800.0  # 2000-01-01: no entry was kept before credit existed
MAX_RECORD_BYTES = 50_000_000  # a record holds metrics and small JSON artifacts
_SHA256 = re.compile(r"[0-9a-f]{64}")
_STR_MAPS = ("params", "tags", "version_tags")
_FIX = "remove the entry"


def read_record(entry: Path, record_name: str) -> dict[str, Any]:
    """The entry's record, parsed and checked; InputError naming the entry otherwise."""
    if entry.is_symlink():  # sync removes what it synced: never a folder elsewhere
        raise InputError(
            f"outbox entry {entry.name}: the entry is a link to another folder, not a folder "
            f"credit train wrote; {REMOVE}"
        )
    path = entry / record_name
    if path.is_symlink() or not path.is_file():  # a pipe would block, a device never end
        raise InputError(
            f"outbox entry {entry.name}: {record_name} is not a regular file; the entry was "
            "changed by hand or by another tool: remove it"
        )
    if path.stat().st_size > MAX_RECORD_BYTES:
        raise InputError(
            f"outbox entry {entry.name}: {record_name} has {path.stat().st_size:,} bytes, more "
            "than credit train writes; remove the entry"
        )
    # nested too deep or a number of thousands of digits: one line too, never a traceback
    record = readback.json_file(
        path, what=f"outbox entry {entry.name}: {record_name} is unreadable: it", fix=_FIX
    )
    if not isinstance(record, dict):
        raise InputError(f"outbox entry {entry.name}: {record_name} is not a JSON object")
    try:
        check_record(record)
    except InputError as exc:
        raise InputError(f"outbox entry {entry.name}: {record_name}: {exc}") from None
    return record


def check_record(record: Mapping[str, Any]) -> None:
    """Every field `credit train` writes, with its type; names checked as flags are."""
    _require(record, "id", str)
    if not _ID.fullmatch(record["id"]):
        raise InputError(f"id {record['id']!r} is not an outbox id; the entry is foreign")
    names.experiment(_require(record, "experiment", str), flag="experiment")
    if "store" in record:  # entries kept before records named their store have none
        _require(record, "store", (str, type(None)))
    names.run_name(_require(record, "run_name", str), flag="run_name")
    _require(record, "reason", str)
    created = _require(record, "created", (int, float))
    if not EARLIEST <= created <= time.time() + 86_400:  # also inf, nan and huge integers
        text = repr(created)
        shown = text if len(text) <= 40 else f"{text[:20]}..."
        raise InputError(f"'created' ({shown}) is not a time credit train could have written")
    for key in _STR_MAPS:
        _mapping(record, key, str)
    check_tags(record["tags"])
    check_params(record["params"])
    check_metrics(_mapping(record, "metrics", (int, float)))
    check_version_tags(record["version_tags"])
    check_model_key(record["params"], record["version_tags"])
    # what each JSON artifact must be, as the tool reads it back from the run later
    check_artifacts(_require(record, "artifacts", dict), record["params"])
    for key in ("dataset_source", "dataset_name"):
        _require(record, key, (str, type(None)))
    for key, limit in (("dataset_name", DATASET_NAME_MAX), ("dataset_source", DATASET_SOURCE_MAX)):
        text = record[key]
        if text is not None and len(text) > limit:
            raise InputError(
                f"'{key}' is {len(text):,} characters long; the limit is {limit:,}; {REMOVE}"
            )
    if "pip_packages" in record:  # entries kept before records carried them have none
        check_packages(_require(record, "pip_packages", list))
    register_as = _require(record, "register_as", (str, type(None)))
    if register_as is not None:
        names.registered_model(register_as, flag="register_as")
    partial = _require(record, "partial_run_id", (str, type(None)))
    if partial:  # "": no run (an earlier credit wrote what a store that is not MLflow gave)
        names.run_id(partial, flag="partial_run_id")
    # entries kept before records carried digests have none: check_files decides on them
    digests = _mapping(record, "digests", str) if "digests" in record else {}
    if any(not _SHA256.fullmatch(v) for v in digests.values()):
        raise InputError("digests are not sha256 digests")
    foreign = next((n for n in digests if n not in (MODEL, DATASET, LEGACY_MODEL)), None)
    if foreign is not None:
        raise InputError(
            f"its digests name {shown_name(foreign)}, not a file credit train keeps; {REMOVE}"
        )


TRUST_SETTING = "tracking.trust_models_that_run_code"


def model_file(entry: Path, record: Mapping[str, Any]) -> str:
    """The name of the entry's model file: skops, or an older credit's pickle."""
    if MODEL in record.get("digests", {}) or (entry / MODEL).exists():
        return MODEL
    return LEGACY_MODEL


def check_files(
    entry: Path, record: Mapping[str, Any], *, trust_code: bool = False
) -> dict[str, bytes]:
    """The model and data files are the ones written with the record, byte for byte: their
    bytes, read once, so that what is loaded is what was checked (a file swapped after the
    check is never read again).

    A model kept as a pickle (by an older credit) runs code when it loads, and the digests
    sit in the same folder as the files, so they prove nothing about who wrote it: such an
    entry is taken only on trust (the user's setting). A skops model is checked against the
    tool's own list of types when it loads (`read_spec`)."""
    model = model_file(entry, record)
    for name in (model, DATASET):  # before anything opens them, trusted or not
        regular_file(entry, name)
    if model == LEGACY_MODEL and not trust_code:
        raise InputError(
            f"outbox entry {entry.name} keeps its model as a pickle ({LEGACY_MODEL}, kept by "
            f"an older credit), which runs code while it loads; if you trust this folder, "
            f"sync it with {TRUST_SETTING} = true (CREDIT_TRACKING__TRUST_MODELS_THAT_"
            "RUN_CODE=true credit sync)"
        )
    files: dict[str, bytes] = {}
    for name in (model, DATASET):
        expected = record.get("digests", {}).get(name)
        if expected is None and not trust_code:
            raise InputError(
                f"outbox entry {entry.name}: its record has no digest of {name}, so its files "
                f"cannot be checked; if you trust this folder, sync it with {TRUST_SETTING} = "
                "true (CREDIT_TRACKING__TRUST_MODELS_THAT_RUN_CODE=true credit sync)"
            )
        try:
            files[name] = regular_bytes(entry / name)
        except OSError as exc:
            raise InputError(
                f"outbox entry {entry.name}: cannot read {name} ({exc.strerror})"
            ) from None
        if expected is not None and sha256(files[name]) != expected:
            raise InputError(
                f"outbox entry {entry.name}: {name} is not the file written with the entry "
                "(changed or truncated); it is not loaded"
            )
    return files


def _require(record: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in record:
        raise InputError(f"lacks '{key}'; it was not written by credit train")
    value = record[key]
    if isinstance(value, bool) and kind in ((int, float), int, float):
        raise InputError(f"'{key}' has the wrong type (bool)")
    if not isinstance(value, kind):
        raise InputError(f"'{key}' has the wrong type ({type(value).__name__})")
    return value


def _mapping(record: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> dict[str, Any]:
    value = _require(record, key, dict)
    for k, v in value.items():
        if not isinstance(v, kind) or isinstance(v, bool):
            raise InputError(f"'{key}.{k}' has the wrong type ({type(v).__name__})")
    return value


def regular_file(entry: Path, name: str) -> None:
    """`entry/name` is a regular file of the entry itself: not a link (to /dev/zero, or to a
    file elsewhere), a folder, a pipe (reading it would wait for ever) or a device (reading
    it would never end). Looked at with lstat, without opening it."""
    try:
        mode = os.lstat(entry / name).st_mode
    except FileNotFoundError:
        return  # a missing file: its digest check names it (cannot read ...)
    except OSError as exc:
        raise InputError(
            f"outbox entry {entry.name}: cannot read {name} ({exc.strerror})"
        ) from None
    if not stat.S_ISREG(mode):
        raise InputError(
            f"outbox entry {entry.name}: {name} is not a regular file (a link, a folder, a pipe "
            f"or a device); {REMOVE}"
        )


def digest(path: Path) -> str:
    """The sha256 of the regular file `path` (see `regular_bytes`)."""
    return sha256(regular_bytes(path))


def sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def regular_bytes(path: Path) -> bytes:
    """The bytes of the regular file `path`; a link, pipe or device is refused (OSError)
    when it is opened, even one put there after `regular_file` looked."""
    from credit_runtime.regular_file import read_regular

    return read_regular(path, follow_links=False)
