"""`credit monitor TARGET --served`: the stability report on what `credit serve` decided.

The journal's applicants and P(bad) are compared with the training reference of the
version that decided on them, one report per version. Columns the journal drops or hashes
(serve.journal_drop, serve.journal_hash) are left out of the comparison, and said so.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings
from credit_mlops.errors import DataError
from credit_mlops.lifecycle.resolve import get_run, resolve
from credit_mlops.monitor.workflow import MonitorReport, _log, _write, reference_of
from credit_mlops.serve.journal import journal_folder, read_journal
from credit_mlops.tracking.store import TrackingStore

if TYPE_CHECKING:
    import pandas as pd


def served_rows(settings: Settings, name: str, since: datetime | None) -> pd.DataFrame:
    """The journal's decisions by model `name` (at or after `since`), or DataError."""
    import pandas as pd

    folder = journal_folder(settings)
    rows = [r for r in read_journal(folder, since) if r.get("model") == name]
    if not rows:
        when = f" since {since.isoformat()}" if since else ""
        raise DataError(
            f"no decisions by {name} in the journal at {folder}{when}; "
            "serve it with `credit serve` first (or check serve.journal_dir)"
        )
    return pd.DataFrame.from_records(rows)


def monitor_served(
    settings: Settings,
    store: TrackingStore,
    target: str,
    *,
    since: datetime | None = None,
    log: bool = True,
) -> list[MonitorReport]:
    """One stability report per model version found in the journal, oldest version first."""
    import numpy as np

    from credit_mlops.monitor.stability import compare

    name = resolve(store, target).name
    if name is None:
        raise DataError(f"{target} is not a registered model; the journal is kept by model name")
    frame = served_rows(settings, name, since)
    hidden = set(settings.serve.journal_drop) | set(settings.serve.journal_hash)
    reports = []
    for version in sorted(frame["version"].astype(str).unique(), key=int):
        decided = frame[frame["version"].astype(str) == version]
        ref = resolve(store, f"{name}/{version}")
        run = get_run(store, ref.run_id)
        reference, origin = reference_of(settings, store, run, ref)
        kept = tuple(d for d in reference.columns if d.name not in hidden)
        reference = dataclasses.replace(reference, columns=kept)
        lacking = [d.name for d in kept if d.name not in decided.columns]
        if lacking:
            raise DataError(
                f"the journal of {name} v{version} lacks column(s) {', '.join(lacking[:5])} "
                "that the run's reference has; it was written by another tool or edited"
            )
        columns = {d.name: decided[d.name].to_numpy(dtype=float) for d in kept}
        try:
            result = compare(reference, columns, np.asarray(decided["p_bad"], dtype=float))
        except ValueError as exc:
            raise DataError(f"the journal of {name} v{version}: {exc}") from None
        stamp = datetime.now(UTC)
        source = f"served decisions ({len(decided)}, {decided['time'].min()} to " + (
            f"{decided['time'].max()})"
        )
        folder = (
            settings.tracking.store_path(settings.root)
            / "monitoring"
            / f"{name}-v{version}-served-{stamp:%Y%m%d_%H%M%S}"
        )
        figure = _write(folder, ref, result, reference, source, origin)
        run_id = _log(store, run, ref, result, folder, source, stamp) if log else None
        reports.append(
            MonitorReport(
                target=target,
                model_uri=ref.uri,
                name=name,
                version=version,
                source_run_id=ref.run_id,
                data_source=source,
                reference_origin=origin,
                score_source=reference.score_source,
                result=result,
                figure=str(figure),
                output_dir=str(folder),
                monitoring_run_id=run_id,
                when=stamp.isoformat(timespec="seconds"),
            )
        )
    return reports
