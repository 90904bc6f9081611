"""Output of register, promote, evaluate and predict."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from credit_mlops.cli.render.console import err, out
from credit_mlops.modeling.metric_names import EVALUATION_LABELS

if TYPE_CHECKING:
    from credit_mlops.lifecycle.evaluate import EvaluationReport
    from credit_mlops.lifecycle.predict import PredictReport
    from credit_mlops.lifecycle.promotion import Promotion
    from credit_mlops.lifecycle.register import Registered


def registered(r: Registered) -> None:
    out().print(f"✓ registered '{r.name}' version {r.version} (run {r.run_id})", markup=False)


def promotion(p: Promotion) -> None:
    console = out()
    figures = ""
    if p.candidate is not None:
        figures = f" ({p.metric} {p.candidate:.4f}"
        if p.current is not None:
            figures += f" vs Production v{p.current_version} {p.current:.4f}"
        figures += ")"
    forced = " [forced]" if p.forced else ""
    console.print(
        f"✓ {p.name} v{p.version}: {p.from_stage} → {p.to_stage}{figures}{forced}", markup=False
    )
    for old in p.archived:
        console.print(f"  {p.name} v{old}: {p.to_stage} → Archived", markup=False)


def promotion_history(name: str, records: list[Promotion]) -> None:
    from rich.table import Table

    metric = records[0].metric if records else "-"
    table = Table(
        title=f"Promotions of '{name}'",
        caption=f"metric: {metric}" if records else "no promotions yet",
    )
    table.add_column("when (UTC)", no_wrap=True)
    table.add_column("v", justify="right")
    table.add_column("change", no_wrap=True)
    table.add_column("by")
    table.add_column("metric", justify="right")
    table.add_column("Production was", justify="right")
    table.add_column("note")
    for r in records:
        note = "; ".join(x for x in ("forced" if r.forced else "", r.note) if x)
        table.add_row(
            r.at[:16].replace("T", " "),
            str(r.version),
            f"{r.from_stage} → {r.to_stage}",
            r.by,
            "-" if r.candidate is None else f"{r.candidate:.4f}",
            "-" if r.current is None else f"v{r.current_version} {r.current:.4f}",
            note,
        )
    out().print(table)


def evaluation(r: EvaluationReport) -> None:
    from rich.table import Table

    table = Table(
        title=f"Evaluation of {r.name + ' v' + str(r.version) if r.name else r.model_uri}",
        caption=f"{r.scope}, {r.n_rows} rows · cost: accept bad {r.costs[0]:g}, "
        f"reject good {r.costs[1]:g}",
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label in EVALUATION_LABELS:
        table.add_row(label, f"{r.metrics[key]:.4f}")
    console = out()
    console.print(table)
    console.print(f"data: {r.data_source}", markup=False)
    console.print(f"threshold chosen on: {r.threshold_source}", markup=False)
    console.print(f"pictures and predictions: {r.output_dir}", markup=False)
    if r.evaluation_run_id:
        console.print(f"evaluation run: {r.evaluation_run_id}", markup=False)


@contextlib.contextmanager
def rows_progress(enabled: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    if not enabled or not err().is_terminal:  # a file or a pipe: the result line says it all
        yield None  # (a transient bar there would leave a blank line behind)
        return
    from rich.progress import Progress, TaskID

    bar = Progress(*Progress.get_default_columns(), console=err(), transient=True)
    task: dict[str, TaskID] = {}

    def update(done: int, total: int | None) -> None:
        if "id" not in task:
            bar.start()
            task["id"] = bar.add_task("scoring", total=total)
        bar.update(task["id"], completed=done)

    try:
        yield update
    finally:
        if "id" in task:
            bar.stop()


def prediction(r: PredictReport, *, to_stderr: bool = False) -> None:
    share = r.rejected / r.rows if r.rows else 0.0
    (err() if to_stderr else out()).print(
        f"✓ scored {r.rows} rows with {r.model_uri}{' on Spark' if r.engine == 'spark' else ''} "
        f"in {r.seconds:.1f}s → {r.output} "
        f"(reject {r.rejected}, {share:.1%}, at P(bad) ≥ {r.threshold:.3f})",
        markup=False,
    )
