"""`credit monitor TARGET --served`: the stability report on what `credit serve` decided.

The journal's applicants and P(bad) are compared with the training reference of the
version that decided on them, one report per version. Columns the journal drops or hashes
(serve.journal_drop, serve.journal_hash) are left out of the comparison, and said so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings
from credit_mlops.errors import DataError, NotFoundError
from credit_mlops.lifecycle.resolve import ModelRef, get_run, resolve
from credit_mlops.monitor.monitor import MonitorReport, _log, _write, reference_of
from credit_mlops.serve.journal import Damaged, journal_folder, read_journal
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from credit_mlops.monitor.reference import Distribution, Reference
    from credit_mlops.monitor.stability import MonitorResult
    from credit_mlops.tracking.records import RunRecord


@dataclass(frozen=True)
class Served:
    """What `credit monitor --served` reports: one report per version, and what it left out
    (damaged journal lines, versions no longer in the registry), said on stderr."""

    reports: list[MonitorReport]
    notes: tuple[str, ...] = ()


def served_rows(
    settings: Settings, name: str, since: datetime | None, damaged: Damaged | None = None
) -> pd.DataFrame:
    """The journal's decisions by model `name` (at or after `since`), or DataError."""
    import pandas as pd

    folder = journal_folder(settings)
    rows = [r for r in read_journal(folder, since, damaged) if r.get("model") == name]
    if not rows:
        when = f" since {since.isoformat()}" if since else ""
        raise DataError(
            f"no decisions by {name} in the journal at {folder}{when}; "
            "serve it with `credit serve` first (or check serve.journal_dir)"
        )
    return pd.DataFrame.from_records(rows)


@dataclass(frozen=True)
class _Measured:
    version: str
    ref: ModelRef
    run: RunRecord
    result: MonitorResult
    reference: Reference
    origin: str
    source: str


def monitor_served(
    settings: Settings,
    store: TrackingStore,
    target: str,
    *,
    since: datetime | None = None,
    log: bool = True,
) -> Served:
    """One stability report per model version found in the journal, oldest version first.
    Every version is measured before anything is written or logged: a refusal leaves
    nothing behind."""
    name = resolve(store, target).name
    if name is None:
        raise DataError(f"{target} is not a registered model; the journal is kept by model name")
    damaged = Damaged()
    frame = served_rows(settings, name, since, damaged)
    notes = []
    if damaged.lines:
        notes.append(
            f"{damaged.lines} journal line(s) skipped as not written whole by credit serve "
            f"(the first: {damaged.first})"
        )
    measured = []
    for version in sorted(frame["version"].astype(str).unique(), key=int):
        try:
            ref = resolve(store, f"{name}/{version}")
        except NotFoundError:
            notes.append(f"{name} v{version} is no longer registered: its decisions are left out")
            continue
        measured.append(_measure(settings, store, name, version, ref, frame))
    if not measured:
        raise DataError(
            f"no version of {name} in the journal is still registered; nothing to compare"
        )
    reports = [_report(settings, store, target, name, m, log) for m in measured]
    return Served(reports, tuple(notes))


def _values(column: Distribution, values: pd.Series) -> np.ndarray:
    """A journaled column as the reference reads it: a column of numbers or number codes
    read as numbers (an older serve journaled a number sent as text, "2", as text)."""
    import pandas as pd

    text_codes = any(isinstance(c, str) for c in column.codes)
    if text_codes or values.dtype != object:
        return values.to_numpy()
    return pd.to_numeric(
        values.map(lambda v: v.strip() if isinstance(v, str) else v), errors="coerce"
    ).to_numpy()


def _measure(
    settings: Settings,
    store: TrackingStore,
    name: str,
    version: str,
    ref: ModelRef,
    frame: pd.DataFrame,
) -> _Measured:
    import numpy as np

    from credit_mlops.monitor.stability import compare

    decided = frame[frame["version"].astype(str) == version]
    run = get_run(store, ref.run_id)
    reference, origin = reference_of(settings, store, run, ref)
    hidden = set(settings.serve.journal_drop) | set(settings.serve.journal_hash)
    kept = tuple(d for d in reference.columns if d.name not in hidden)
    reference = dataclasses.replace(reference, columns=kept)
    lacking = [d.name for d in kept if d.name not in decided.columns]
    if lacking:
        raise DataError(
            f"the journal of {name} v{version} lacks column(s) {', '.join(lacking[:5])} "
            "that the run's reference has; it was written by another tool or edited"
        )
    columns = {d.name: _values(d, decided[d.name]) for d in kept}  # text codes stay text
    try:
        result = compare(reference, columns, np.asarray(decided["p_bad"], dtype=float))
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"the journal of {name} v{version} does not match the run's reference ({exc}); "
            "it holds decisions of another model under this version, or was edited"
        ) from None
    source = f"served decisions ({len(decided)}, {decided['time'].min()} to " + (
        f"{decided['time'].max()})"
    )
    return _Measured(version, ref, run, result, reference, origin, source)


def _report(
    settings: Settings, store: TrackingStore, target: str, name: str, m: _Measured, log: bool
) -> MonitorReport:
    stamp = datetime.now(UTC)
    folder = (
        settings.tracking.store_path(settings.root)
        / "monitoring"
        / f"{name}-v{m.version}-served-{stamp:%Y%m%d_%H%M%S}"
    )
    figure = _write(folder, m.ref, m.result, m.reference, m.source, m.origin)
    run_id = _log(store, m.run, m.ref, m.result, folder, m.source, stamp) if log else None
    return MonitorReport(
        target=target,
        model_uri=m.ref.uri,
        name=name,
        version=m.version,
        source_run_id=m.ref.run_id,
        data_source=m.source,
        reference_origin=m.origin,
        score_source=m.reference.score_source,
        result=m.result,
        figure=str(figure),
        output_dir=str(folder),
        monitoring_run_id=run_id,
        when=stamp.isoformat(timespec="seconds"),
    )
