"""The monitor table as plain rows (for JSON, CSV, Markdown and the logged summary)."""

from __future__ import annotations

from credit_mlops.monitor.stability import MonitorResult

COLUMNS: tuple[str, ...] = ("name", "kind", "psi", "band", "bins", "largest_move")


def as_rows(result: MonitorResult) -> list[dict[str, object]]:
    return [
        {
            "name": s.name,
            "kind": s.kind,
            "psi": round(s.psi, 6),
            "band": s.band,
            "bins": s.bins,
            "largest_move": s.top_bin,
        }
        for s in result.table
    ]
