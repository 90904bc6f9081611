"""Output of `credit monitor`: a rich table sorted by PSI, or json, csv, markdown."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from credit_mlops.cli.render.console import err, escape, out, styled
from credit_mlops.escaping import csv_lines, md_table
from credit_mlops.escaping import to_json as to_json_text

if TYPE_CHECKING:
    from credit_mlops.monitor.monitor import MonitorReport

BAND_STYLE = {"stable": "green", "moderate": "yellow", "major": "bold red"}


def monitoring(report: MonitorReport, fmt: str) -> None:
    if fmt == "table":
        _table(report)
    else:
        sys.stdout.write(FORMATS[fmt](report))
        sys.stdout.flush()
        err().print(_footer(report), markup=False, soft_wrap=True)


def per_version(reports: list[MonitorReport], fmt: str) -> None:
    """One report per served model version; as JSON, one list of them."""
    if fmt != "json":
        for report in reports:
            monitoring(report, fmt)
        return
    sys.stdout.write("[" + ",\n".join(to_json(r).rstrip() for r in reports) + "]\n")
    sys.stdout.flush()
    for report in reports:
        err().print(_footer(report), markup=False, soft_wrap=True)


def failure_line(report: MonitorReport, band: str) -> str:
    r = report.result
    worst = [s.name for s in r.table if s.band == r.worst]
    return (
        f"{r.worst} shift in {', '.join(worst)} (score PSI {r.score.psi:.3f}); "
        f"--fail-on {band} was asked: see {report.output_dir}"
    )


def _footer(report: MonitorReport) -> str:
    r = report.result
    counts = r.counts()
    lines = [
        f"{r.rows} rows of {report.data_source} against {r.reference_rows} training rows "
        f"(reference {report.reference_origin}; score: {report.score_source})",
        f"reject rate at P(bad) ≥ {r.threshold:.3f}: {r.reject_rate_reference:.1%} at "
        f"training → {r.reject_rate_current:.1%} now",
        f"bands: {counts['major']} major, {counts['moderate']} moderate, "
        f"{counts['stable']} stable (< 0.10 stable, 0.10-0.25 moderate, > 0.25 major)",
        f"picture: {report.figure}",
    ]
    if report.monitoring_run_id:
        lines.append(f"monitoring run: {report.monitoring_run_id}")
    return "\n".join(lines)


def _table(report: MonitorReport) -> None:
    from rich.table import Table

    r = report.result
    label = f"{report.name} v{report.version}" if report.name else report.model_uri
    table = Table(title=f"Population stability of {label}")
    table.add_column("characteristic", no_wrap=True)
    table.add_column("kind")
    table.add_column("PSI", justify="right")
    table.add_column("band", no_wrap=True)
    table.add_column("bins", justify="right")
    table.add_column("largest move (bin: training → now)")
    for s in r.table:
        style = BAND_STYLE[s.band]
        name = styled(f"[bold]{escape(s.name)}[/]") if s.kind == "score" else s.name
        band = styled(f"[{style}]{s.band}[/]")
        table.add_row(name, s.kind, f"{s.psi:.4f}", band, str(s.bins), s.top_bin)
    console = out()
    console.print(table)
    console.print(_footer(report), markup=False, soft_wrap=True)


def _rows(report: MonitorReport) -> list[dict[str, object]]:
    from credit_mlops.monitor.table import as_rows

    return as_rows(report.result)


def to_json(report: MonitorReport) -> str:
    r = report.result
    payload = {
        "target": report.target,
        "model": report.name,
        "version": report.version,
        "data": report.data_source,
        "rows": r.rows,
        "reference_rows": r.reference_rows,
        "reference_origin": report.reference_origin,
        "threshold": r.threshold,
        "reject_rate_reference": r.reject_rate_reference,
        "reject_rate_current": r.reject_rate_current,
        "worst": r.worst,
        "score_psi": r.score.psi,
        "stability": _rows(report),
        "figure": report.figure,
        "monitoring_run_id": report.monitoring_run_id,
    }
    return to_json_text(payload) + "\n"


def to_csv(report: MonitorReport) -> str:
    from credit_mlops.monitor.table import COLUMNS

    rows = [[row.get(k) for k in COLUMNS] for row in _rows(report)]
    return csv_lines([list(COLUMNS), *rows])


def to_markdown(report: MonitorReport) -> str:
    headers = [
        "characteristic",
        "kind",
        "PSI",
        "band",
        "bins",
        "largest move (bin: training → now)",
    ]
    rows = [
        [
            r["name"],
            r["kind"],
            f"{float(str(r['psi'])):.4f}",
            r["band"],
            r["bins"],
            r["largest_move"],
        ]
        for r in _rows(report)
    ]
    return "\n".join(md_table(headers, rows, "llrlrl")) + "\n"


FORMATS = {"json": to_json, "csv": to_csv, "markdown": to_markdown}
