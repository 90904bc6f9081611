"""Output of `credit tune`: a header, a progress bar with the best value so far, a summary."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from credit_mlops.cli.render.console import err, escape, out, styled

if TYPE_CHECKING:
    from credit_mlops.tune.tune import TuneReport, TuneStart
    from credit_mlops.tune.workers import TrialReport


def _value(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def header(start: TuneStart) -> None:
    console = err()
    console.print(
        styled(
            f"tuning [bold]{escape(start.model_key)}[/] · objective {start.objective} "
            f"({start.direction}) · study '{escape(start.study)}' at {escape(str(start.storage))}"
        ),
        soft_wrap=True,
        highlight=False,
    )
    space = ", ".join(f"{name} {text}" for name, text in start.space.items())
    console.print(f"space: {space}", markup=False, soft_wrap=True)
    console.print(
        f"{start.n_rows} training rows ({start.folds} folds; the holdout is not read) · "
        f"{start.already_finished} of {start.n_trials} trials already finished",
        markup=False,
        soft_wrap=True,
    )
    if start.orphans_ended:
        console.print(
            f"note: ended {len(start.orphans_ended)} run(s) of this study left RUNNING by a "
            f"worker that is gone, as KILLED: {', '.join(start.orphans_ended)}",
            markup=False,
            soft_wrap=True,
        )


@contextlib.contextmanager
def progress(enabled: bool) -> Iterator[tuple[Any, Any, Any]]:
    """(on_start, on_trial, on_wait) callbacks: one bar over the study's total, best value
    so far; what the worker waits for is a note on stderr, above the bar (even when quiet)."""
    from credit_mlops.cli.render.console import note

    if not enabled:
        yield None, None, note
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]trials"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("best {task.fields[best]} · last: {task.fields[last]}"),
        console=err(),
    )
    task: dict[str, Any] = {}

    def on_start(start: TuneStart) -> None:
        header(start)
        bar.start()
        task["id"] = bar.add_task(
            "trials", total=start.n_trials, completed=start.already_finished, best="-", last="-"
        )

    def on_trial(report: TrialReport) -> None:
        if "id" in task:
            last = f"#{report.number} {report.state.lower()} {_value(report.value)}"
            bar.update(
                task["id"],
                completed=report.study_finished,
                best=_value(report.best_value),
                last=last,
            )

    def on_wait(message: str) -> None:
        from credit_mlops.escaping import terminal_text

        if bar.live.is_started:  # printed through the bar's console: the bar stays whole
            bar.console.print(terminal_text(message), markup=False, soft_wrap=True)
        else:
            note(message)

    try:
        yield on_start, on_trial, on_wait
    finally:
        if bar.live.is_started:
            bar.stop()


def report(r: TuneReport, *, quiet: bool) -> None:
    from rich.panel import Panel

    w = r.worker
    states = [t.state for t in w.trials]
    lines = [
        f"Study: '{w.study}' ({r.start.storage})",
        f"Model: {r.start.model_key} · objective {r.start.objective}",
        f"This worker: {states.count('COMPLETE')} complete, {states.count('PRUNED')} pruned"
        + (f", {states.count('FAIL')} failed" if "FAIL" in states else ""),
        f"Study: {w.study_finished} of {w.n_trials} trials finished"
        + ("" if w.stopped_by == "budget" else f" (stopped: {w.stopped_by})")
        + (f"; {w.running_elsewhere} still running elsewhere" if w.running_elsewhere else ""),
        f"Best: {_value(w.best_value)} (trial {w.best_number})"
        if w.best_number is not None
        else "Best: none yet (no complete trial)",
    ]
    lines += [f"  {name} = {value}" for name, value in w.best_params.items()]
    if r.parent_run_id:
        lines.append(f"Run ID: {r.parent_run_id}")
    if r.figures:
        lines.append(f"Figures: {', '.join(f'tune/{name}.png' for name in r.figures)}")
    title = "✓ tuning done" if w.stopped_by == "budget" else "tuning stopped"
    out().print(Panel("\n".join(lines), title=title, expand=False), markup=False)
    if r.trained is not None:
        from credit_mlops.cli.render.train import train_report

        train_report(r.trained, quiet=quiet)
