"""Comparison output for scripts and reports: json, csv, markdown. Independent of the
terminal's width; nothing here prints."""

from __future__ import annotations

from credit_mlops.compare.views import Comparison
from credit_mlops.escaping import csv_lines, md_bold, md_table
from credit_mlops.escaping import to_json as to_json_text


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def to_json(c: Comparison) -> str:
    return to_json_text(c.to_json()) + "\n"


def to_csv(c: Comparison) -> str:
    header = [col.key for col in c.columns]
    # floats keep full precision (the csv module writes their repr); text is neutralised
    return csv_lines([header, *([row.get(k) for k in header] for row in c.rows)])


def to_markdown(c: Comparison) -> str:
    keys = [col.key for col in c.columns]
    align = "".join("r" if col.numeric else "l" for col in c.columns)
    rows = []
    for i, row in enumerate(c.rows):
        cells: list[object] = []
        for key in keys:
            text = cell(row.get(key))
            cells.append(md_bold(text) if text and i in c.best.get(key, []) else text)
        rows.append(cells)
    return "\n".join(md_table([col.label for col in c.columns], rows, align)) + "\n"


FORMATS = {"json": to_json, "csv": to_csv, "markdown": to_markdown}
