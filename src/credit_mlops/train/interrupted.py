"""Ctrl-C while `credit train` logs its models: honoured once the run being logged is whole.

Each run is logged inside `interrupts_held()`: a first Ctrl-C waits until that run is
complete (never a half-written run), then stops the command; a second one stops it at once
(the run is then ended KILLED, and its model is kept in the outbox). The models fitted but
not yet logged are not logged: they are kept in the outbox (`credit sync` logs them), so
nothing trained is lost. `TrainingInterrupted` carries what was kept, as lines the CLI shows
before it exits 130 like any interrupted command.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from credit_mlops.config.settings import Settings

if TYPE_CHECKING:
    from credit_mlops.tracking.records import RunSpec


class TrainingInterrupted(KeyboardInterrupt):
    """A Ctrl-C honoured while the models were logged; `kept` says what was kept."""

    def __init__(self, kept: tuple[str, ...]) -> None:
        super().__init__("interrupted")
        self.kept = kept


def stop_logging(
    settings: Settings,
    logged: Sequence[tuple[str | None, str | None]],
    kept_before: Sequence[str],
    rest: Sequence[Callable[[], RunSpec]],
) -> TrainingInterrupted:
    """The interruption to raise: `logged` are the (run name, run id) logged whole,
    `kept_before` the models already in the outbox (a tracking failure); each of `rest`
    builds the spec of a fitted model not logged (or torn), kept in the outbox now, with
    further Ctrl-Cs held until the entries are written."""
    from credit_mlops.processes.signals import interrupts_deferred
    from credit_mlops.train.outbox import outbox_dir, write_entry

    kept = list(kept_before)
    with interrupts_deferred():
        for spec_of in rest:
            spec = spec_of()
            entry = write_entry(
                outbox_dir(settings),
                spec,
                experiment=settings.tracking.experiment,
                store=settings.tracking_uri_shown,
                reason="interrupted (Ctrl-C) before it was logged",
            )
            kept.append(f"{spec.run_name} in {entry}")
    lines: list[str] = []
    if logged:
        runs = ", ".join(f"{name} ({run_id})" for name, run_id in logged)
        lines.append(f"interrupted while logging; {len(logged)} run(s) logged whole: {runs}")
    if not logged:
        lines.append("interrupted while logging; no run was logged")
    if kept:
        lines.append(
            f"{len(kept)} fitted model(s) not logged, kept in the outbox: "
            + "; ".join(kept)
            + " (credit sync logs them)"
        )
    return TrainingInterrupted(tuple(lines))
