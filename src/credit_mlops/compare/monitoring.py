"""The monitoring history in `credit compare --all-runs --tag run_type=monitoring`: when
every picked run is a `credit monitor` run, rows show its PSI figures, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from credit_mlops.compare.columns import Column
from credit_mlops.tracking.records import RunRecord

KIND = "monitoring"
LEFT_OUT = "monitoring run(s) left out (see `credit compare --all-runs --tag run_type=monitoring`)"


def is_monitoring(run: RunRecord) -> bool:
    return run.tags.get("run_type") == KIND or run.tags.get("credit.kind") == KIND


def columns() -> tuple[Column, ...]:
    return (
        Column("started", "when (UTC)", priority=10),
        Column("model", "model", priority=10),
        Column("psi_score", "score PSI", numeric=True, better="min", priority=9),
        Column("band", "worst band", priority=9),
        Column("worst", "largest column shift", priority=7),
        Column("worst_psi", "its PSI", numeric=True, priority=7),
        Column("reject_rate_current", "reject now", numeric=True, priority=6),
        Column("reject_rate_reference", "reject at training", numeric=True, priority=5),
        Column("rows", "rows", numeric=True, priority=4),
        Column("data", "data", priority=3),
        Column("run_id", "run id", priority=1),
    )


def rows(runs: Sequence[RunRecord]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for run in sorted(runs, key=lambda r: r.start_time or 0, reverse=True):
        m, t = run.metrics, run.tags
        psis = {k.removeprefix("psi_"): v for k, v in m.items() if k.startswith("psi_")}
        psis.pop("score", None)
        worst = max(psis, key=lambda k: psis[k]) if psis else None
        name, version = t.get("monitored_model"), t.get("monitored_version")
        out.append(
            {
                "started": datetime.fromtimestamp((run.start_time or 0) / 1000, UTC).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
                "model": f"{name} v{version}" if name else t.get("credit.source_run_id", "?"),
                "psi_score": m.get("psi_score"),
                "band": t.get("psi_band"),
                "worst": worst,
                "worst_psi": psis.get(worst) if worst else None,
                "reject_rate_current": m.get("reject_rate_current"),
                "reject_rate_reference": m.get("reject_rate_reference"),
                "rows": int(m["rows"]) if "rows" in m else None,
                "data": t.get("credit.data"),
                "run_id": run.run_id,
            }
        )
    return out
