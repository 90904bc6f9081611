"""The model card as Markdown; figures are files in `figures/` beside it."""

from __future__ import annotations

from credit_mlops.report.card import Facts, Figure, ModelCard, Table, Text

FIGURE_DIR = "figures"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _table(headers: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def render(card: ModelCard) -> str:
    out = [f"# {card.title}", "", f"_{card.subtitle}_", ""]
    out += [f"- [{s.title}](#{s.anchor})" for s in card.sections]
    for section in card.sections:
        out += ["", f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Text):
                out += [block.body, ""]
            elif isinstance(block, Facts):
                out += [*_table(("", ""), block.rows), ""]
            elif isinstance(block, Table):
                if block.caption:
                    out += [f"**{block.caption}**", ""]
                out += [*_table(block.headers, block.rows), ""]
            elif isinstance(block, Figure):
                out += [f"![{block.caption}]({FIGURE_DIR}/{block.name}.png)", ""]
    return "\n".join(out).rstrip() + "\n"
