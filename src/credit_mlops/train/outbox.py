"""A local folder that keeps what could not be logged, so nothing trained is lost.

Each entry is a folder: `run.json` (the record below), `model.skops` (the fitted pipeline)
and `dataset.csv` (the training frame). `credit sync` turns an entry back into a run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from credit_mlops.config.settings import Settings
from credit_mlops.errors import CreditError, InputError
from credit_mlops.modeling.catalog import KINDS
from credit_mlops.tracking.orphans import PROCESS_TAG
from credit_mlops.tracking.records import RunSpec
from credit_mlops.train.outbox_check import DATASET, MODEL, digest

OUTBOX_TAG = "credit.outbox_id"
COMPLETE_TAG = "credit.sync_complete"
SYNCED_TAG = "credit.synced"
RECORD = "run.json"


def outbox_dir(settings: Settings) -> Path:
    """The one outbox location: `<store_dir>/outbox`."""
    return settings.tracking.store_path(settings.root) / "outbox"


def entries(outbox: Path) -> list[Path]:
    """The entry folders holding a record (anything by that name: one that is not a regular
    file is refused when it is read, never passed over in silence)."""
    if not outbox.is_dir():
        return []
    return sorted(p for p in outbox.iterdir() if p.is_dir() and os.path.lexists(p / RECORD))


def entry_record(
    spec: RunSpec,
    *,
    experiment: str,
    reason: str,
    partial_run_id: str | None = None,
    created: float | None = None,
    entry_id: str | None = None,
    store: str | None = None,
) -> dict[str, Any]:
    """What `run.json` holds: everything of the run but the model and the frame, and the
    store it was trained for (its URI as shown: no credentials)."""
    return {
        "id": entry_id or uuid.uuid4().hex,
        "partial_run_id": partial_run_id,
        "store": store,
        "experiment": experiment,
        "run_name": spec.run_name,
        "created": time.time() if created is None else created,
        "reason": reason,
        "params": {k: str(v) for k, v in spec.params.items()},
        "metrics": dict(spec.metrics),
        "tags": dict(spec.tags),
        "artifacts": dict(spec.artifacts),
        "dataset_source": spec.dataset_source,
        "dataset_name": spec.dataset_name,
        "register_as": spec.register_as,
        "version_tags": dict(spec.version_tags),
        "pip_packages": list(spec.pip_packages),
    }


def synced_tags(record: Mapping[str, Any]) -> dict[str, str]:
    """The tags of the run an entry becomes: its own, plus where it came from."""
    from credit_mlops.processes.identity import this_process

    return {
        **record["tags"],
        PROCESS_TAG: this_process(),  # the syncing process logs it now
        OUTBOX_TAG: record["id"],
        SYNCED_TAG: "true",
        "credit.synced_reason": record["reason"][:500],
    }


def write_entry(
    outbox: Path,
    spec: RunSpec,
    *,
    experiment: str,
    reason: str,
    partial_run_id: str | None = None,
    store: str | None = None,
) -> Path:
    import skops.io

    from credit_mlops.files import atomic_write, write_text
    from credit_mlops.names import safe_component

    stamp = time.strftime("%Y%m%d_%H%M%S")
    record = entry_record(
        spec, experiment=experiment, reason=reason, partial_run_id=partial_run_id, store=store
    )
    # Its own folder even when several processes keep runs of the same name at once; the
    # run name is a user string, so it only ever reaches the path as a safe component.
    outbox.mkdir(parents=True, exist_ok=True)
    entry = outbox / f"{stamp}_{safe_component(spec.run_name)}_{str(record['id'])[:8]}"
    entry.mkdir()
    try:
        with atomic_write(entry / MODEL, "wb") as fh:  # skops: read back by type, not run
            skops.io.dump(spec.pipeline, fh)
        with atomic_write(entry / DATASET, newline="") as fh:
            spec.dataset.to_csv(fh, index=False)
        record["digests"] = {name: digest(entry / name) for name in (MODEL, DATASET)}
        # Written last: an entry counts (credit sync) only once its record is there, whole.
        write_text(entry / RECORD, json.dumps(record, indent=2, default=str))
    except OSError as exc:  # a full or read-only disk: no half-written entry stays behind
        shutil.rmtree(entry, ignore_errors=True)
        raise CreditError(
            f"run {spec.run_name!r} could not be kept in {outbox} either "
            f"({exc.strerror or exc}); the store failed first: {reason}"
        ) from exc
    return entry


_ARTIFACT_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")


def check_artifact_names(entry: Path, artifacts: Any) -> None:
    """An entry's JSON artifacts are named by plain relative paths (`results/holdout.json`):
    a name read back from the entry never chooses where a file is written."""
    from pathlib import PurePosixPath

    if not isinstance(artifacts, Mapping):
        raise InputError(f"outbox entry {entry.name}: 'artifacts' is not an object of files")
    for name in artifacts:
        parts = PurePosixPath(name).parts if isinstance(name, str) else ()
        plain = bool(parts) and all(_ARTIFACT_PART.fullmatch(part) for part in parts)
        if not plain or len(parts) > 4 or "\\" in name:
            raise InputError(
                f"outbox entry {entry.name}: the artifact name {name!r} is not a plain relative "
                "path; the entry was changed by hand or by another tool: remove it"
            )


def _load_model(entry: Path, record: Mapping[str, Any], files: Mapping[str, bytes]) -> Any:
    """The entry's fitted pipeline from the bytes `check_files` checked: a skops file built
    only from the types the tool trusts (`credit_runtime.trust`), or an older credit's
    pickle (taken on the user's trust, which `check_files` required)."""
    import io

    from credit_mlops.train.outbox_check import LEGACY_MODEL, model_file
    from credit_runtime.errors import UntrustedModel
    from credit_runtime.trust import classifier, estimator_from_bytes

    name = model_file(entry, record)
    if name == LEGACY_MODEL:
        import joblib

        return joblib.load(io.BytesIO(files[LEGACY_MODEL]))
    try:
        return classifier(estimator_from_bytes(files[name], name), name)
    except UntrustedModel as exc:
        raise InputError(f"outbox entry {entry.name}: {exc}") from None
    except Exception as exc:  # a file skops cannot read: damaged, or not a skops file
        raise InputError(
            f"outbox entry {entry.name}: {name} is not a readable model ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200] if str(exc) else ''}); remove the entry"
        ) from None


def check_entry(
    entry: Path, record: Mapping[str, Any], *, trust_code: bool = False
) -> dict[str, bytes]:
    """Everything of the entry beyond its record (`outbox_check.read_record`), checked before
    the store is touched: its files are regular files and the ones written with the record
    (`check_files`, which returns their checked bytes), its artifact names plain paths, the
    packages its model needs installed here (each is pinned to its installed version when
    the model is logged)."""
    from credit_mlops.train.outbox_check import check_files

    files = check_files(entry, record, trust_code=trust_code)  # a pickle only on trust
    check_artifact_names(entry, record["artifacts"])
    check_packages_installed(entry, record.get("pip_packages", ()))
    return files


def check_packages_installed(entry: Path, packages: Any) -> None:
    from importlib import metadata

    for name in packages:
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            raise InputError(
                f"outbox entry {entry.name}: its model needs the package {name!r}, which is "
                "not installed here; install it if you trust the entry and run credit sync "
                "again, or remove the entry"
            ) from None


def read_spec(
    entry: Path,
    record: Mapping[str, Any],
    *,
    trust_code: bool = False,
    files: Mapping[str, bytes] | None = None,
) -> RunSpec:
    """The entry as a RunSpec again (registration is done after the run is complete);
    `trust_code` takes an entry without digests (see `outbox_check.check_files`); `files`:
    what `check_entry` returned (credit sync checks before it touches the store), else it is
    checked here. Only those checked bytes are read, never the files again."""
    import io

    import pandas as pd

    from credit_mlops.data.schema import FEATURES

    if files is None:
        files = check_entry(entry, record, trust_code=trust_code)
    pipeline = _load_model(entry, record, files)
    dataset = pd.read_csv(io.BytesIO(files[DATASET]))
    from credit_mlops.modeling.describe import describe

    kind = KINDS.get(str(record["params"].get("model_key")))
    booster = describe(pipeline).booster() if kind and "booster" in kind.artifacts else None
    features = [c for c in dataset.columns if c in FEATURES] or list(dataset.columns[:-1])
    return RunSpec(
        run_name=record["run_name"],
        params=record["params"],
        metrics=record["metrics"],
        tags=synced_tags(record),
        pipeline=pipeline,
        input_example=dataset[features].head(5),
        dataset=dataset,
        dataset_source=record["dataset_source"],
        dataset_name=record["dataset_name"],
        artifacts=record["artifacts"],
        register_as=None,  # registered after the run is marked complete
        version_tags=record["version_tags"],
        booster=booster,
        # entries kept before the record carried them: the kind's own (a vote's members unknown)
        pip_packages=record.get("pip_packages", kind.pip_packages if kind else ()),
    )
