"""The only place that writes to the terminal. Tables and progress go through rich."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from credit_mlops.workflows import TrainReport

SUMMARY_METRICS = {
    "roc_auc": "ROC AUC",
    "average_precision": "avg prec",
    "f1": "F1",
    "recall": "recall",
    "precision": "precision",
    "accuracy": "accuracy",
    "geometric_mean": "G-mean",
}


def out() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def error(message: str, *, debug: bool) -> None:
    console = err()
    if debug and sys.exc_info()[0] is not None:
        console.print_exception(show_locals=False)
    # One line, never wrapped: scripts grep it and terminals wrap it themselves.
    console.print(f"[bold red]error:[/] {_escape(message)}", soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def note(message: str) -> None:
    err().print(message, markup=False, soft_wrap=True)


def emit_json(payload: Any) -> None:
    """JSON on stdout and nothing else there."""
    if dataclasses.is_dataclass(payload) and not isinstance(payload, type):
        payload = dataclasses.asdict(payload)
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    sys.stdout.flush()


def settings_table(rows: list[tuple[str, str, str]], profile: str, file: str | None) -> None:
    from rich.table import Table

    table = Table(
        title=f"Effective settings — profile '{profile}'",
        caption=f"profile file: {file or 'none (built-in defaults)'}",
    )
    table.add_column("key", style="cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("source", style="magenta", no_wrap=True)
    for key, value, source in rows:
        table.add_row(key, value, source)
    out().print(table)


@contextlib.contextmanager
def train_progress(enabled: bool) -> Iterator[tuple[Any, Any]]:
    """(on_stage, progress) callbacks driving one rich progress bar per stage."""
    if not enabled:
        yield None, None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=err(),
        transient=False,
    )
    current: dict[str, Any] = {}

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
    finally:
        if bar.live.is_started:
            bar.stop()


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
        lines = [
            f"[bold]Model[/]: {r.display_name} ({r.key})",
            f"[bold]Version[/]: {report.model_version}",
            f"[bold]Run[/]: {r.run_name}",
        ]
        if report.experiment:
            lines.insert(0, f"[bold]Experiment[/]: '{report.experiment}'")
        if r.run_id:
            lines.append(f"[bold]Run ID[/]: {r.run_id}")
        if r.registered_name:
            lines.append(
                f"[bold]Registered as[/]: '{r.registered_name}' version {r.registered_version}"
            )
        if r.run_url:
            lines.append(f"[bold]View run at[/]: {r.run_url}")
            lines.append(f"[bold]View experiment at[/]: {r.experiment_url}")
        if r.outbox:
            lines.append(f"[bold yellow]Kept locally (not logged)[/]: {r.outbox}")
        if r.metrics:
            lines.append(f"[bold]ROC AUC (CV)[/]: {_pm(r.metrics, 'roc_auc')}")
        title = (
            "✓ MLflow run logged"
            if r.run_id
            else ("⚠ not logged" if r.outbox else "trained (tracking disabled)")
        )
        console.print(Panel("\n".join(lines), title=title, title_align="left", expand=False))
    if quiet:
        return
    if any(r.metrics for r in report.results):
        table = Table(
            title="Cross-validation, test folds (ROC AUC mean±std, others mean)",
            caption=f"positive class: bad credit · train {report.n_train} rows, "
            f"holdout {report.n_holdout} rows kept out",
        )
        table.add_column("model", style="cyan", no_wrap=True)
        for label in SUMMARY_METRICS.values():
            table.add_column(label, justify="right", no_wrap=True)
        for r in report.results:
            cells = [_pm(r.metrics, "roc_auc")]
            cells += [f"{r.metrics[f'{n}_test_mean']:.3f}" for n in list(SUMMARY_METRICS)[1:]]
            table.add_row(r.key, *cells)
        console.print(table)
    if report.timings:
        stages = " · ".join(f"{k} {v:.1f}s" for k, v in report.timings.items())
        console.print(f"[dim]time: {stages}[/]")


class DownloadBar:
    """The object pooch drives as a progress bar (total, update, reset, close)."""

    def __init__(self) -> None:
        from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

        self._progress = Progress(
            *Progress.get_default_columns(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=err(),
        )
        self._task = self._progress.add_task("download", total=None)
        self._progress.start()
        self.total: int | None = None

    def update(self, n: int) -> None:
        self._progress.update(self._task, advance=n, total=self.total)

    def reset(self) -> None:
        self._progress.reset(self._task, total=self.total)

    def close(self) -> None:
        self._progress.stop()
