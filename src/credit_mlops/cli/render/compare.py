"""`credit compare`'s table: low-priority columns go first when the terminal is narrow."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from credit_mlops.cli.render.console import note, out
from credit_mlops.cli.render.formats import cell
from credit_mlops.escaping import one_line

if TYPE_CHECKING:
    from rich.table import Table

    from credit_mlops.compare.columns import Column
    from credit_mlops.compare.views import Comparison


def comparison_table(c: Comparison, width: int | None = None) -> Table:
    """A rich table that fits `width`: low-priority columns go first when it is narrow."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(width=width, markup=False) if width else out()
    primary = next((col for col in c.columns if col.label.endswith("± std")), None)
    std_key = primary.key.replace("_test_mean", "_test_std") if primary else None
    shown = [col for col in c.columns if col.key != std_key]
    caption = _caption(c)

    def build(columns: list[Column]) -> Table:
        table = Table(caption=caption, caption_justify="left", title=_title(c))
        for col in columns:
            table.add_column(col.label, justify="right" if col.numeric else "left", overflow="fold")
        for i, row in enumerate(c.rows):
            cells = []
            for col in columns:
                value = row.get(col.key)
                text = one_line(cell(value)) if not isinstance(value, float) else f"{value:.4f}"
                if primary is not None and col.key == primary.key and value is not None:
                    std = row.get(std_key) if std_key else None
                    text = f"{value:.4f} ± {std:.4f}" if std is not None else f"{value:.4f}"
                style = "bold green" if text and i in c.best.get(col.key, []) else ""
                if row.get("status") not in (None, "FINISHED"):
                    style += " dim"
                cells.append(Text(text, style=style.strip()))  # text, never markup
            table.add_row(*cells)
        return table

    # Drop the lowest-priority columns until the widest cell of every column fits.
    while len(shown) > 2 and _natural_width(c, shown, primary, std_key) > console.width:
        drop = min(shown, key=lambda col: col.priority)
        if drop.priority >= 9:
            break
        shown.remove(drop)
    return build(shown)


def _natural_width(
    c: Comparison, columns: list[Column], primary: Column | None, std_key: str | None
) -> int:
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


def _title(c: Comparison) -> str:
    return {
        "latest": "Latest run of each model",
        "all": "All runs",
        "runs": "Runs side by side",
        "registry": "Registered model versions",
    }[c.view]


def _caption(c: Comparison) -> str:
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


def comparison(c: Comparison, fmt: str, output: Path | None = None) -> None:
    """Print (or write to `output`) the comparison in one format; machine formats alone."""
    from credit_mlops.cli.render.formats import FORMATS

    if fmt == "table":
        if output is not None:
            from rich.console import Console

            from credit_mlops.files import atomic_write

            with atomic_write(output) as fh:
                table = comparison_table(c, 200)
                Console(file=fh, width=200, color_system=None, markup=False).print(table)
            note(f"wrote {output}")
            return
        out().print(comparison_table(c))
        return
    text = FORMATS[fmt](c)
    if output is not None:
        from credit_mlops.files import write_text

        write_text(output, text)
        note(f"wrote {output}")
        return
    sys.stdout.write(text)
    sys.stdout.flush()
