"""The model card as one self-contained HTML file: inline CSS, pictures as data URIs, no
script, no external asset; readable on screen and on paper."""

from __future__ import annotations

import base64

from credit_mlops.escaping import html_text as escape
from credit_mlops.report.card import Block, Facts, ModelCard, Table, Text

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1b1f23; max-width: 60rem; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #d0d7de; padding-bottom: .2rem;
     margin-top: 2rem; }
.subtitle { color: #57606a; margin-top: 0; }
nav ol { columns: 2; padding-left: 1.2rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .55rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.facts th { width: 14rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
figure { display: inline-block; margin: .5rem 1rem 1rem 0; vertical-align: top; }
figure img { max-width: 100%; height: auto; border: 1px solid #eaeef2; }
figcaption { font-size: .85rem; color: #57606a; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  table, figure { break-inside: avoid; }
}
"""


def _numeric(value: str) -> bool:
    text = value.replace("±", "").replace("%", "").replace(" ", "").replace(",", "")
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cells(tag: str, values: tuple[str, ...]) -> str:
    return "".join(
        f'<{tag} class="num">{escape(v)}</{tag}>'
        if tag == "td" and _numeric(v)
        else f"<{tag}>{escape(v)}</{tag}>"
        for v in values
    )


def _block(block: Block) -> str:
    if isinstance(block, Text):
        return f"<p>{escape(block.body)}</p>"
    if isinstance(block, Facts):
        rows = "".join(
            f"<tr><th scope=row>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in block.rows
        )
        return f'<table class="facts"><tbody>{rows}</tbody></table>'
    if isinstance(block, Table):
        caption = f"<caption>{escape(block.caption)}</caption>" if block.caption else ""
        head = f"<thead><tr>{_cells('th', block.headers)}</tr></thead>"
        body = "".join(f"<tr>{_cells('td', row)}</tr>" for row in block.rows)
        return f"<table>{caption}{head}<tbody>{body}</tbody></table>"
    data = base64.b64encode(block.png).decode("ascii")
    return (
        f'<figure id="fig-{block.name}"><img src="data:image/png;base64,{data}" '
        f'alt="{escape(block.caption)}"><figcaption>{escape(block.caption)}</figcaption>'
        "</figure>"
    )


MARK = '<meta name="generator" content="credit report">'  # what wrote the page


def render(card: ModelCard) -> str:
    toc = "".join(f'<li><a href="#{s.anchor}">{escape(s.title)}</a></li>' for s in card.sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        MARK,
        f"<title>{escape(card.title)}</title><style>{STYLE}</style></head><body>",
        f"<header><h1>{escape(card.title)}</h1>",
        f'<p class="subtitle">{escape(card.subtitle)}</p></header>',
        f"<nav><ol>{toc}</ol></nav><main>",
    ]
    for section in card.sections:
        parts.append(f'<section id="{section.anchor}"><h2>{escape(section.title)}</h2>')
        parts += [_block(b) for b in section.blocks]
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
