"""Output of `credit fairness`: one table per protected attribute (rich, markdown, CSV, JSON)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from credit_mlops.cli.render.console import err, out
from credit_mlops.escaping import csv_lines, md, md_bold, md_table, terminal_text
from credit_mlops.escaping import to_json as to_json_text

if TYPE_CHECKING:
    from credit_mlops.fairness.assess import FairnessResult
    from credit_mlops.fairness.metrics import AttributeReport, GroupRow

HEADERS = (
    "group",
    "n",
    "reject rate",
    "TPR",
    "FPR",
    "ROC AUC",
    "exp. cost",
    "accept ratio",
    "verdict",
)


def _num(value: float, digits: int = 3) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def _cells(g: GroupRow) -> list[str]:
    return [
        g.group,
        str(g.count),
        _num(g.reject_rate),
        _num(g.tpr),
        _num(g.fpr),
        _num(g.roc_auc),
        _num(g.expected_cost),
        _num(g.accept_ratio),
        g.verdict,
    ]


def _figures(a: AttributeReport) -> str:
    return (
        f"parity difference {_num(a.parity_difference)} · parity ratio (acceptance) "
        f"{_num(a.parity_ratio)} · equalized odds difference "
        f"{_num(a.equalized_odds_difference)} · most favoured: {a.most_favoured or '-'}"
    )


def tables(r: FairnessResult) -> None:
    from rich.table import Table

    who = f"{r.name} v{r.version}" if r.name else r.model_uri
    console = out()
    for a in r.report.attributes:
        title = f"Fairness of {who} by {a.attribute}"
        table = Table(title=title, caption=_figures(a))
        for h in HEADERS:
            table.add_column(h, justify="left" if h in ("group", "verdict") else "right")
        for g in a.groups:
            style = "bold red" if g.verdict.startswith("below") else ""
            style = "yellow" if g.verdict.startswith("no verdict") else style
            table.add_row(*_cells(g), style=style)
        console.print(table)
        for note in a.notes:
            err().print(terminal_text(note), markup=False, soft_wrap=True)
    console.print(
        f"{r.scope}, {r.report.rows} rows · reject at P(bad) ≥ {r.report.threshold:.3f} · "
        "TPR: bad credits rejected, FPR: good credits rejected · accept ratio: acceptance rate "
        "/ the most favoured group's, flagged below the four-fifths rule's bound",
        markup=False,
    )
    console.print(f"data: {r.data_source}", markup=False)
    console.print(f"pictures: {r.output_dir}", markup=False)
    if r.evaluation_run_id:
        console.print(f"evaluation run: {r.evaluation_run_id}", markup=False)


def to_json(r: FairnessResult) -> str:
    from credit_mlops.fairness.assess import as_dict

    payload = {
        "target": r.target,
        "model_uri": r.model_uri,
        "scope": r.scope,
        "data": r.data_source,
        "evaluation_run_id": r.evaluation_run_id,
        **as_dict(r.report),
    }
    return to_json_text(payload)


def to_csv(r: FairnessResult) -> str:
    rows: list[list[object]] = [
        ["attribute", *HEADERS, "parity_difference", "parity_ratio", "equalized_odds_difference"]
    ]
    for a in r.report.attributes:
        figures = [_num(a.parity_difference, 6), _num(a.parity_ratio, 6)]
        figures.append(_num(a.equalized_odds_difference, 6))
        rows += [[a.attribute, *_cells(g), *figures] for g in a.groups]
    return csv_lines(rows)


def to_markdown(r: FairnessResult) -> str:
    lines: list[str] = []
    align = "".join("l" if h in ("group", "verdict") else "r" for h in HEADERS)
    for a in r.report.attributes:
        rows: list[list[object]] = []
        for g in a.groups:
            cells: list[object] = list(_cells(g))
            if g.verdict.startswith("below"):
                cells[-1] = md_bold(cells[-1])
            rows.append(cells)
        lines += [f"### {md(a.attribute)}", "", *md_table(HEADERS, rows, align)]
        lines += ["", md(_figures(a)), *(f"> {md(n)}" for n in a.notes), ""]
    return "\n".join(lines)
