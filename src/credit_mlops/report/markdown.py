"""The model card as Markdown; figures are files in `figures/` beside it.

Every text of the card (model, run and file names included) goes through the Markdown
escaping layer: a name can never become a heading, a link, an image or raw HTML.
"""

from __future__ import annotations

from credit_mlops.escaping import md, md_bold, md_italic, md_table
from credit_mlops.report.card import Facts, Figure, ModelCard, Table, Text

FIGURE_DIR = "figures"


def render(card: ModelCard) -> str:
    out = [f"# {md(card.title)}", "", md_italic(card.subtitle), ""]
    out += [f"- [{md(s.title)}](#{s.anchor})" for s in card.sections]
    for section in card.sections:
        out += ["", f"## {md(section.title)}", ""]
        for block in section.blocks:
            if isinstance(block, Text):
                out += [md(block.body), ""]
            elif isinstance(block, Facts):
                out += [*md_table(("", ""), block.rows), ""]
            elif isinstance(block, Table):
                if block.caption:
                    out += [md_bold(block.caption), ""]
                out += [*md_table(block.headers, block.rows), ""]
            elif isinstance(block, Figure):
                # the name is a-z, 0-9, _ and - only (card.Figure checks it)
                out += [f"![{md(block.caption)}]({FIGURE_DIR}/{block.name}.png)", ""]
    out += ["", MARK]
    return "\n".join(out).rstrip() + "\n"


# The card says what wrote it: a later report replaces only a card that says so.
MARK = "_Written by credit report; the next report of this model replaces this file._"
