"""What `credit sync` reads back from an outbox entry is checked before it is used.

An entry is a folder anyone could have edited, truncated or dropped in: its record must
have every field with the type `credit train` wrote, its names must pass the same checks
as the flags that gave them, and its model and data files must be the very files written
beside the record (sha256), so that nothing foreign is unpickled. Any failure is one line
naming the entry, exit 2; the entry stays for the user to inspect.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from credit_mlops import names
from credit_mlops.errors import InputError

MODEL = "model.skops"  # an entry's files, beside its record
DATASET = "dataset.csv"
# the model of an entry kept by an older credit: a pickle, which runs code when it loads
LEGACY_MODEL = "model.joblib"

_ID = re.compile(r"[0-9a-f]{32}")
EARLIEST = 946_684_800.0  # 2000-01-01: no entry was kept before credit existed
MAX_RECORD_BYTES = 50_000_000  # a record holds metrics and small JSON artifacts
_SHA256 = re.compile(r"[0-9a-f]{64}")
_STR_MAPS = ("params", "tags", "version_tags")


def read_record(entry: Path, record_name: str) -> dict[str, Any]:
    """The entry's record, parsed and checked; InputError naming the entry otherwise."""
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
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"outbox entry {entry.name}: {record_name} is unreadable ({exc})"
        ) from None
    if not isinstance(record, dict):
        raise InputError(f"outbox entry {entry.name}: {record_name} is not a JSON object")
    try:
        check_record(record)
    except InputError as exc:
        raise InputError(f"outbox entry {entry.name}: {exc}") from None
    return record


def check_record(record: Mapping[str, Any]) -> None:
    """Every field `credit train` writes, with its type; names checked as flags are."""
    _require(record, "id", str)
    if not _ID.fullmatch(record["id"]):
        raise InputError(f"id {record['id']!r} is not an outbox id; the entry is foreign")
    names.experiment(_require(record, "experiment", str), flag="experiment")
    names.run_name(_require(record, "run_name", str), flag="run_name")
    _require(record, "reason", str)
    created = _require(record, "created", (int, float))
    if not math.isfinite(created) or not EARLIEST <= created <= time.time() + 86_400:
        raise InputError(f"'created' ({created!r}) is not a time credit train could have written")
    for key in _STR_MAPS:
        _mapping(record, key, str)
    names.tags(record["tags"], flag="tags", own=True)
    _mapping(record, "metrics", (int, float))
    _require(record, "artifacts", dict)
    for key in ("dataset_source", "dataset_name"):
        _require(record, key, (str, type(None)))
    register_as = _require(record, "register_as", (str, type(None)))
    if register_as is not None:
        names.registered_model(register_as, flag="register_as")
    partial = _require(record, "partial_run_id", (str, type(None)))
    if partial is not None:
        names.run_id(partial, flag="partial_run_id")
    # entries kept before records carried digests have none: check_files decides on them
    digests = _mapping(record, "digests", str) if "digests" in record else {}
    if any(not _SHA256.fullmatch(v) for v in digests.values()):
        raise InputError("digests are not sha256 digests")


TRUST_SETTING = "tracking.trust_models_that_run_code"


def model_file(entry: Path, record: Mapping[str, Any]) -> str:
    """The name of the entry's model file: skops, or an older credit's pickle."""
    if MODEL in record.get("digests", {}) or (entry / MODEL).exists():
        return MODEL
    return LEGACY_MODEL


def check_files(entry: Path, record: Mapping[str, Any], *, trust_code: bool = False) -> None:
    """The model and data files are the ones written with the record, byte for byte.

    A model kept as a pickle (by an older credit) runs code when it loads, and the digests
    sit in the same folder as the files, so they prove nothing about who wrote it: such an
    entry is taken only on trust (the user's setting). A skops model is checked against the
    tool's own list of types when it loads (`read_spec`)."""
    model = model_file(entry, record)
    if model == LEGACY_MODEL and not trust_code:
        raise InputError(
            f"outbox entry {entry.name} keeps its model as a pickle ({LEGACY_MODEL}, kept by "
            f"an older credit), which runs code while it loads; if you trust this folder, "
            f"sync it with {TRUST_SETTING} = true (CREDIT_TRACKING__TRUST_MODELS_THAT_"
            "RUN_CODE=true credit sync)"
        )
    for name in (model, DATASET):
        expected = record.get("digests", {}).get(name)
        if expected is None and trust_code:
            continue
        if expected is None:
            raise InputError(
                f"outbox entry {entry.name}: its record has no digest of {name}, so its files "
                f"cannot be checked; if you trust this folder, sync it with {TRUST_SETTING} = "
                "true (CREDIT_TRACKING__TRUST_MODELS_THAT_RUN_CODE=true credit sync)"
            )
        try:
            actual = digest(entry / name)
        except OSError as exc:
            raise InputError(
                f"outbox entry {entry.name}: cannot read {name} ({exc.strerror})"
            ) from None
        if actual != expected:
            raise InputError(
                f"outbox entry {entry.name}: {name} is not the file written with the entry "
                "(changed or truncated); it is not loaded"
            )


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


def digest(path: Path) -> str:
    import hashlib

    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
