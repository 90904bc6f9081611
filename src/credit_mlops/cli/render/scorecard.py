"""The scorecard as a rich table, CSV, markdown or JSON (nothing here prints but `table`)."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credit_mlops.modeling.scorecard_report import ScorecardReport

HEADERS = ("characteristic", "bin", "count", "bad rate", "WoE", "IV", "points")
FLAG_NOTES = {"not predictive": "not predictive (IV < 0.02)", "suspicious": "suspicious (IV > 0.5)"}


def _scale(report: ScorecardReport) -> str:
    return (
        f"{report.base_score:g} points at {report.base_odds:g}:1 good:bad odds, "
        f"+{report.pdo:g} points per doubling of the odds; higher = safer"
    )


def to_csv(report: ScorecardReport) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "characteristic",
            "bin",
            "count",
            "bad_rate",
            "woe",
            "iv",
            "points",
            "characteristic_iv",
            "flag",
        ]
    )
    for c in report.characteristics:
        for b in c.bins:
            writer.writerow(
                [
                    c.name,
                    b.bin,
                    b.count,
                    repr(b.bad_rate),
                    repr(b.woe),
                    repr(b.iv),
                    repr(b.points),
                    repr(c.iv),
                    c.flag,
                ]
            )
    return buf.getvalue()


def to_markdown(report: ScorecardReport) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        f"Scorecard of {esc(report.model)}: {_scale(report)}.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in report.characteristics:
        for i, b in enumerate(c.bins):
            name = f"**{c.name}**" if i == 0 else ""
            lines.append(
                f"| {name} | {esc(b.bin)} | {b.count} | {b.bad_rate:.3f} | {b.woe:+.3f} | "
                f"{b.iv:.3f} | {b.points:.1f} |"
            )
        note = f" {FLAG_NOTES[c.flag]}" if c.flag else ""
        lines.append(f"| | *IV {c.name}* | | | | **{c.iv:.3f}**{note} | |")
    return "\n".join(lines) + "\n"


def to_json(report: ScorecardReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


FORMATS = {"csv": to_csv, "markdown": to_markdown, "json": to_json}


def table(report: ScorecardReport) -> None:
    from rich.table import Table

    from credit_mlops.cli.render.console import escape, out

    grid = Table(title=f"Scorecard of {escape(report.model)}", caption=_scale(report))
    for header in HEADERS:
        grid.add_column(header, justify="left" if header in ("characteristic", "bin") else "right")
    for c in report.characteristics:
        for i, b in enumerate(c.bins):
            grid.add_row(
                c.name if i == 0 else "",
                escape(b.bin),
                str(b.count),
                f"{b.bad_rate:.3f}",
                f"{b.woe:+.3f}",
                f"{b.iv:.3f}",
                f"{b.points:.1f}",
            )
        style = {"not predictive": "yellow", "suspicious": "bold red"}.get(c.flag, "bold")
        label = f"[{style}]IV: {FLAG_NOTES[c.flag]}[/]" if c.flag else "IV"
        grid.add_row("", label, "", "", "", f"[{style}]{c.iv:.3f}[/]", "", end_section=True)
    out().print(grid)
