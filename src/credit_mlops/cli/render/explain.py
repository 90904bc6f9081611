"""Output of `credit explain`: mean |contribution| per original column, and where the
pictures went."""

from __future__ import annotations

from typing import TYPE_CHECKING

from credit_mlops.cli.render.console import out

if TYPE_CHECKING:
    from credit_mlops.lifecycle.explain import ExplainReport

UNIT = {"log-odds": "log-odds", "probability": "P(bad)", "points": "points"}


def explanation(r: ExplainReport) -> None:
    from rich.table import Table

    who = f"{r.name} v{r.version}" if r.name else r.model_uri
    unit = UNIT.get(r.space, r.space)
    table = Table(
        title=f"What drives {who}: mean |contribution| per original column",
        caption=f"{r.scope}, {r.n_rows} rows · {r.method}",
    )
    table.add_column("#", justify="right")
    table.add_column("column")
    table.add_column(f"mean |contribution| ({unit})", justify="right")
    table.add_column("share", justify="right")
    table.add_column("mean (+ towards rejection)", justify="right")
    for rank, item in enumerate(r.importance, start=1):
        table.add_row(
            str(rank),
            f"{item.name} ({item.column})" if item.name != item.column else item.name,
            f"{item.mean_abs:.4f}",
            f"{item.share:.1%}",
            f"{item.mean:+.4f}",
        )
    console = out()
    console.print(table)
    console.print(f"data: {r.data_source}", markup=False)
    console.print(f"pictures and attributions: {r.output_dir}", markup=False)
    if r.evaluation_run_id:
        console.print(f"evaluation run: {r.evaluation_run_id}", markup=False)
