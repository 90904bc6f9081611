"""Output of `credit report`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from credit_mlops.cli.render.console import out

if TYPE_CHECKING:
    from credit_mlops.report.report import ReportResult


def written(r: ReportResult) -> None:
    console = out()
    console.print(f"✓ model card of {r.name} v{r.version}", markup=False)
    console.print(f"  HTML:     {r.html}", markup=False, soft_wrap=True)
    console.print(f"  Markdown: {r.markdown} (+ {r.figures} figures)", markup=False, soft_wrap=True)
    console.print(f"  sections: {', '.join(r.sections)}", markup=False, soft_wrap=True)
    if r.logged_as:
        console.print(f"  logged on run {r.run_id} as {r.logged_as}", markup=False)
