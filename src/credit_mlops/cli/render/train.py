"""`credit train`'s output: progress bars per stage, a panel per model, the CV summary."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from credit_mlops.cli.render.console import aside, err, escape, out, styled
from credit_mlops.modeling.metric_names import SUMMARY_LABELS

if TYPE_CHECKING:
    from credit_mlops.train.train import TrainReport

Callbacks = tuple[Callable[[str, int], None] | None, Callable[[str, str], None] | None]


@contextlib.contextmanager
def train_progress(enabled: bool) -> Iterator[Callbacks]:
    """(on_stage, progress) callbacks driving one rich progress bar per stage."""
    if not enabled:
        yield None, None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    console = err()
    # a file or a pipe sees the bars once, when they stop: kept aside, shown on success only
    shown, kept = (console, None) if console.is_terminal else aside(console)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=shown,
        transient=False,
    )
    current: dict[str, TaskID] = {}

    def on_stage(name: str, total: int) -> None:
        if total:
            if not bar.live.is_started:  # started on the first stage: no blank line on errors
                bar.start()
            current["task"] = bar.add_task(name, total=total, last="")

    def progress(key: str, kind: str) -> None:
        if "task" in current:
            bar.update(current["task"], advance=1, last=f"{key} {kind}")

    try:
        yield on_stage, progress
    except BaseException:
        bar.live.transient = True  # a failed command ends on its error, not on a stopped bar
        if bar.live.is_started:
            bar.stop()
        raise
    if bar.live.is_started:
        bar.stop()
    if kept is not None:
        console.file.write(kept.getvalue())


def _pm(metrics: dict[str, float], name: str) -> str:
    mean = metrics.get(f"{name}_test_mean")
    if mean is None:
        return "-"
    return f"{mean:.3f}±{metrics.get(f'{name}_test_std', 0.0):.3f}"


def train_report(report: TrainReport, *, quiet: bool) -> None:
    from rich.panel import Panel
    from rich.table import Table

    console = out()
    for r in report.results:
        # every value may hold a user's text: shown as text, never read as rich markup
        lines = [
            f"[bold]Model[/]: {escape(r.display_name)} ({escape(r.key)})",
            f"[bold]Version[/]: {escape(report.model_version)}",
            f"[bold]Run[/]: {escape(r.run_name)}",
        ]
        if report.experiment:
            lines.insert(0, f"[bold]Experiment[/]: '{escape(report.experiment)}'")
        if r.run_id:
            lines.append(f"[bold]Run ID[/]: {escape(r.run_id)}")
        if r.registered_name:
            lines.append(
                f"[bold]Registered as[/]: '{escape(r.registered_name)}' version "
                f"{escape(str(r.registered_version))}"
            )
        if r.run_url:
            lines.append(f"[bold]View run at[/]: {escape(r.run_url)}")
            lines.append(f"[bold]View experiment at[/]: {escape(str(r.experiment_url))}")
        if r.outbox:
            lines.append(f"[bold yellow]Kept locally (not logged)[/]: {escape(str(r.outbox))}")
        if r.metrics:
            lines.append(f"[bold]ROC AUC (CV)[/]: {_pm(r.metrics, 'roc_auc')}")
        title = (
            "✓ MLflow run logged"
            if r.run_id
            else ("⚠ not logged" if r.outbox else "trained (tracking disabled)")
        )
        panel = Panel(styled("\n".join(lines)), title=title, title_align="left", expand=False)
        console.print(panel)
    if quiet:
        return
    if any(r.metrics for r in report.results):
        table = Table(
            title="Cross-validation, test folds (ROC AUC mean±std, others mean)",
            caption=f"positive class: bad credit · train {report.n_train} rows, "
            f"holdout {report.n_holdout} rows kept out",
        )
        # On a narrow terminal the last metrics go rather than every cell being cut.
        names = list(SUMMARY_LABELS)[: 4 if console.width < 110 else len(SUMMARY_LABELS)]
        table.add_column("model", style="cyan", no_wrap=True)
        for name in names:
            table.add_column(SUMMARY_LABELS[name], justify="right", no_wrap=True)
        for r in report.results:
            cells = [_pm(r.metrics, "roc_auc")]
            cells += [f"{r.metrics[f'{n}_test_mean']:.3f}" for n in names[1:]]
            table.add_row(r.key, *cells)
        console.print(table)
    if report.timings:
        notes = ("cv_overlap", "cv_estimate")  # not stages: they overlap the others
        times = report.timings
        stages = " · ".join(f"{k} {v:.1f}s" for k, v in times.items() if k not in notes)
        beside = f" (cv beside import {times['cv_overlap']:.1f}s)" if "cv_overlap" in times else ""
        console.print(styled(f"[dim]time: {stages}{beside}[/]"))
