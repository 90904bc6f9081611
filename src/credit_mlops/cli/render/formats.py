"""Comparison output for scripts and reports: json, csv, markdown. Independent of the
terminal's width; nothing here prints."""

from __future__ import annotations

import csv
import io
import json

from credit_mlops.compare.views import Comparison


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def to_json(c: Comparison) -> str:
    return json.dumps(c.to_json(), indent=2, default=str) + "\n"


def to_csv(c: Comparison) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([col.key for col in c.columns])
    for row in c.rows:
        writer.writerow([_raw(row.get(col.key)) for col in c.columns])
    return buf.getvalue()


def _raw(value: object) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def to_markdown(c: Comparison) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    keys = [col.key for col in c.columns]
    lines = [
        "| " + " | ".join(esc(col.label) for col in c.columns) + " |",
        "| " + " | ".join("---:" if col.numeric else "---" for col in c.columns) + " |",
    ]
    for i, row in enumerate(c.rows):
        cells = []
        for key in keys:
            text = esc(cell(row.get(key)))
            if text and i in c.best.get(key, []):
                text = f"**{text}**"
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


FORMATS = {"json": to_json, "csv": to_csv, "markdown": to_markdown}
