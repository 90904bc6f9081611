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

    from credit_mlops.train.workflow import TrainReport

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
        # On a narrow terminal the last metrics go rather than every cell being cut.
        names = list(SUMMARY_METRICS)[: 4 if console.width < 110 else len(SUMMARY_METRICS)]
        table.add_column("model", style="cyan", no_wrap=True)
        for name in names:
            table.add_column(SUMMARY_METRICS[name], justify="right", no_wrap=True)
        for r in report.results:
            cells = [_pm(r.metrics, "roc_auc")]
            cells += [f"{r.metrics[f'{n}_test_mean']:.3f}" for n in names[1:]]
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


def promotion(p: Any) -> None:
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


def promotion_history(name: str, records: list[Any]) -> None:
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


EVAL_ROWS = (
    ("roc_auc", "ROC AUC"),
    ("average_precision", "average precision"),
    ("f1", "F1 @0.5"),
    ("recall", "recall @0.5"),
    ("precision", "precision @0.5"),
    ("accuracy", "accuracy @0.5"),
    ("geometric_mean", "G-mean @0.5"),
    ("brier", "Brier score"),
    ("expected_cost_at_0_5", "expected cost @0.5"),
    ("expected_cost_at_threshold", "expected cost @threshold"),
    ("threshold", "threshold"),
)


def evaluation(r: Any) -> None:
    from rich.table import Table

    table = Table(
        title=f"Evaluation of {r.name + ' v' + str(r.version) if r.name else r.model_uri}",
        caption=f"{r.scope}, {r.n_rows} rows · cost: accept bad 5, reject good 1",
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label in EVAL_ROWS:
        table.add_row(label, f"{r.metrics[key]:.4f}")
    console = out()
    console.print(table)
    console.print(f"data: {r.data_source}", markup=False)
    console.print(f"threshold chosen on: {r.threshold_source}", markup=False)
    console.print(f"pictures and predictions: {r.output_dir}", markup=False)
    if r.evaluation_run_id:
        console.print(f"evaluation run: {r.evaluation_run_id}", markup=False)


@contextlib.contextmanager
def rows_progress(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from rich.progress import Progress

    bar = Progress(*Progress.get_default_columns(), console=err(), transient=True)
    task: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "id" not in task:
            bar.start()
            task["id"] = bar.add_task("scoring", total=total)
        bar.update(task["id"], completed=done)

    try:
        yield update
    finally:
        if "id" in task:
            bar.stop()


def prediction(r: Any) -> None:
    share = r.rejected / r.rows if r.rows else 0.0
    out().print(
        f"✓ scored {r.rows} rows with {r.model_uri} in {r.seconds:.1f}s → {r.output} "
        f"(reject {r.rejected}, {share:.1%}, at P(bad) ≥ {r.threshold:.3f})",
        markup=False,
    )


def comparison_table(c: Any, width: int | None = None) -> Any:
    """A rich table that fits `width`: low-priority columns go first when it is narrow."""
    from rich.console import Console
    from rich.table import Table

    from credit_mlops.cli.render.formats import cell

    console = Console(width=width) if width else out()
    primary = next((col for col in c.columns if col.label.endswith("± std")), None)
    std_key = primary.key.replace("_test_mean", "_test_std") if primary else None
    shown = [col for col in c.columns if col.key != std_key]
    caption = _caption(c)

    def build(columns: list[Any]) -> Table:
        table = Table(caption=caption, caption_justify="left", title=_title(c))
        for col in columns:
            table.add_column(col.label, justify="right" if col.numeric else "left", overflow="fold")
        for i, row in enumerate(c.rows):
            cells = []
            for col in columns:
                value = row.get(col.key)
                text = cell(value) if not isinstance(value, float) else f"{value:.4f}"
                if primary is not None and col.key == primary.key and value is not None:
                    std = row.get(std_key) if std_key else None
                    text = f"{value:.4f} ± {std:.4f}" if std is not None else f"{value:.4f}"
                if text and i in c.best.get(col.key, []):
                    text = f"[bold green]{_escape(text)}[/]"
                else:
                    text = _escape(text)
                if row.get("status") not in (None, "FINISHED"):
                    text = f"[dim]{text}[/]"
                cells.append(text)
            table.add_row(*cells)
        return table

    # Drop the lowest-priority columns until the widest cell of every column fits.
    while len(shown) > 2 and _natural_width(c, shown, primary, std_key) > console.width:
        drop = min(shown, key=lambda col: col.priority)
        if drop.priority >= 9:
            break
        shown.remove(drop)
    return build(shown)


def _natural_width(c: Any, columns: list[Any], primary: Any, std_key: str | None) -> int:
    from credit_mlops.cli.render.formats import cell

    total = 1
    for col in columns:
        widest = max((len(word) for word in col.label.split()), default=1)
        for row in c.rows:
            value = row.get(col.key)
            text = f"{value:.4f}" if isinstance(value, float) else cell(value)
            if primary is not None and col.key == primary.key and value is not None:
                text = f"{value:.4f} ± 0.0000"
            widest = max(widest, len(text))
        total += widest + 3
    return total


def _title(c: Any) -> str:
    return {
        "latest": "Latest run of each model",
        "all": "All runs",
        "runs": "Runs side by side",
        "registry": "Registered model versions",
    }[c.view]


def _caption(c: Any) -> str:
    parts = []
    if c.experiment:
        parts.append(f"experiment '{c.experiment}'")
    parts.append(c.tracking_uri)
    noun = "version(s)" if c.view == "registry" else "run(s)"
    parts.append(f"{c.considered} {noun} considered")
    if c.sort:
        parts.append(f"sorted by {c.sort}")
    text = " · ".join(parts)
    if c.notes:
        text += "\n" + "\n".join(f"note: {n}" for n in c.notes)
    return text


def comparison(c: Any, fmt: str, output: Any = None) -> None:
    """Print (or write to `output`) the comparison in one format; machine formats alone."""
    from credit_mlops.cli.render.formats import FORMATS

    if fmt == "table":
        if output is not None:
            from rich.console import Console

            with open(output, "w", encoding="utf-8") as fh:
                Console(file=fh, width=200, color_system=None).print(comparison_table(c, 200))
            note(f"wrote {output}")
            return
        out().print(comparison_table(c))
        return
    text = FORMATS[fmt](c)
    if output is not None:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        note(f"wrote {output}")
        return
    sys.stdout.write(text)
    sys.stdout.flush()


def sync_results(results: list[Any]) -> None:
    console = out()
    for r in results:
        mark = {"synced": "✓", "already synced": "=", "failed": "✗"}[r.status]
        extra = f" run {r.run_id}" if r.run_id else ""
        extra += f", registered {r.registered}" if r.registered else ""
        extra += f": {r.error}" if r.error else ""
        console.print(f"{mark} {r.run_name}: {r.status}{extra}", markup=False, soft_wrap=True)
