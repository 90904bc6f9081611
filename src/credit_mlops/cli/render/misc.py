"""Output of `credit config show`, `credit data` and `credit sync`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from credit_mlops.cli.render.console import aside, err, out

if TYPE_CHECKING:
    import io

    from credit_mlops.data.draft import Draft
    from credit_mlops.train.sync import SyncResult


def draft_table(draft: Draft, written: str | None) -> None:
    """What `credit data describe` inferred, the columns to review marked (on stderr)."""
    from rich.table import Table

    marked = sum(1 for c in draft.columns if c.review)
    table = Table(
        title=f"Drafted description '{draft.description.name}' — {draft.rows} rows",
        caption=f"{marked} column(s) to review (!)"
        + (f"; written to {written}" if written else ""),
    )
    for name in ("", "column", "kind", "codes / range", "missing", "review"):
        table.add_column(name, overflow="fold")
    for c in draft.columns:
        table.add_row(
            "!" if c.review else "", c.column, c.kind, c.values, str(c.missing), c.review or ""
        )
    err().print(table)


def settings_table(rows: list[tuple[str, str, str]], profile: str, file: str | None) -> None:
    from rich.table import Table

    table = Table(
        title=f"Effective settings — profile '{profile}'",
        caption=f"profile file: {file or 'none (built-in defaults)'}",
    )
    # The source folds rather than squeeze the values (a masked secret stays whole).
    table.add_column("key", style="cyan", no_wrap=True)
    table.add_column("value", overflow="fold", min_width=10)
    table.add_column("source", style="magenta", overflow="fold")
    for key, value, source in rows:
        table.add_row(key, value, source)
    out().print(table)


class DownloadBar:
    """The object pooch drives as a progress bar (total, update, reset, close)."""

    def __init__(self) -> None:
        from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

        self._console = err()
        # a file or a pipe sees the bar once, when it stops: kept aside, shown on success only
        self._kept: io.StringIO | None = None
        shown = self._console
        if not self._console.is_terminal:
            shown, self._kept = aside(self._console)
        self._progress = Progress(
            *Progress.get_default_columns(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=shown,
        )
        self._task = self._progress.add_task("download", total=None)
        self._progress.start()
        self.total: int | None = None

    def update(self, n: int) -> None:
        self._progress.update(self._task, advance=n, total=self.total)

    def reset(self) -> None:
        self._progress.reset(self._task, total=self.total)

    def close(self, *, done: bool = True) -> None:
        """Stop the bar; after a failure it leaves nothing on the screen or in the file."""
        self._progress.live.transient = not done
        self._progress.stop()
        if self._kept is not None and done:
            self._console.file.write(self._kept.getvalue())


def sync_results(results: list[SyncResult]) -> None:
    console = out()
    for r in results:
        mark = {"synced": "✓", "already synced": "=", "failed": "✗", "ended": "■"}[r.status]
        extra = f" run {r.run_id}" if r.run_id else ""
        extra += f", registered {r.registered}" if r.registered else ""
        extra += f": {r.error}" if r.error else ""
        console.print(f"{mark} {r.run_name}: {r.status}{extra}", markup=False, soft_wrap=True)
