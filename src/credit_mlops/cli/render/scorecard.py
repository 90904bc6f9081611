"""The scorecard as a rich table, CSV, markdown or JSON (nothing here prints but `table`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from credit_mlops.escaping import Markdown, csv_lines, md, md_bold, md_italic, md_table
from credit_mlops.escaping import to_json as to_json_text

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
    header = ["characteristic", "bin", "count", "bad_rate", "woe", "iv", "points"]
    rows: list[list[object]] = [[*header, "characteristic_iv", "flag"]]
    for c in report.characteristics:
        rows += [
            [c.name, b.bin, b.count, b.bad_rate, b.woe, b.iv, b.points, c.iv, c.flag]
            for b in c.bins
        ]
    return csv_lines(rows)


def to_markdown(report: ScorecardReport) -> str:
    lines = [md(f"Scorecard of {report.model}: {_scale(report)}."), ""]
    rows: list[list[object]] = []
    for c in report.characteristics:
        for i, b in enumerate(c.bins):
            name = md_bold(c.name) if i == 0 else ""
            figures = [f"{b.bad_rate:.3f}", f"{b.woe:+.3f}", f"{b.iv:.3f}", f"{b.points:.1f}"]
            rows.append([name, b.bin, b.count, *figures])
        note = f" {FLAG_NOTES[c.flag]}" if c.flag else ""
        iv = Markdown(f"{md_bold(f'{c.iv:.3f}')}{md(note)}")
        rows.append(["", md_italic(f"IV {c.name}"), "", "", "", iv, ""])
    lines += md_table(HEADERS, rows, "llrrrrr")
    return "\n".join(lines) + "\n"


def to_json(report: ScorecardReport) -> str:
    return to_json_text(report.to_json()) + "\n"


FORMATS = {"csv": to_csv, "markdown": to_markdown, "json": to_json}


def table(report: ScorecardReport) -> None:
    from rich.table import Table

    from credit_mlops.cli.render.console import out, styled

    grid = Table(title=f"Scorecard of {report.model}", caption=_scale(report))
    for header in HEADERS:
        grid.add_column(header, justify="left" if header in ("characteristic", "bin") else "right")
    for c in report.characteristics:
        for i, b in enumerate(c.bins):
            grid.add_row(
                c.name if i == 0 else "",
                b.bin,
                str(b.count),
                f"{b.bad_rate:.3f}",
                f"{b.woe:+.3f}",
                f"{b.iv:.3f}",
                f"{b.points:.1f}",
            )
        style = {"not predictive": "yellow", "suspicious": "bold red"}.get(c.flag, "bold")
        label = styled(f"[{style}]IV: {FLAG_NOTES[c.flag]}[/]") if c.flag else "IV"
        grid.add_row("", label, "", "", "", styled(f"[{style}]{c.iv:.3f}[/]"), "", end_section=True)
    out().print(grid)
