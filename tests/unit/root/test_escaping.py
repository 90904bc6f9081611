"""One escaping layer per output format: Markdown (rendered by a CommonMark renderer),
CSV (formula neutralisation, read back by the csv module) and JSON (strict)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from markdown_it import MarkdownIt  # CommonMark; rich depends on it

from credit_mlops.escaping import (
    Markdown,
    csv_cell,
    csv_frame,
    csv_lines,
    md,
    md_bold,
    md_table,
    to_json,
)

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "run\n# injected heading",
    "run\r\n\r\n<h1>x</h1>",
    "[click](javascript:alert(1))",
    "![i](http://evil/x.png)",
    "<javascript:alert(1)>",
    "`code` **bold** _em_ ~~strike~~",
    "snake_case _lead trail_ __dunder__ a_b_",
    "a | b | c",
    "- list item",
    "1. ordered",
    "===",
    "---",
    "> quote",
    "&lt;img src=x onerror=alert(1)&gt;",
    "\\<img src=x onerror=alert(1)>",
    "[ref]: javascript:alert(1)",
    "#hash",
    "x\u2028y",
]


def _html(markdown: str) -> str:
    # html=True: raw HTML would pass through, as in many viewers; the escaping alone holds
    return (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .enable("strikethrough")
        .render(markdown)
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_renders_as_the_same_plain_text(text: str) -> None:
    rendered = _html(md(text))
    # one paragraph, no other element: no tag, link, image, heading, list or emphasis
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n"), rendered
    inner = rendered[3:-5]
    assert "<" not in inner.replace("&lt;", ""), rendered
    import html

    flat = " ".join(text.replace("\r", " ").replace("\n", " ").replace("\u2028", " ").split())
    assert " ".join(html.unescape(inner).split()) == flat


@pytest.mark.parametrize("text", HOSTILE)
def test_a_markdown_table_keeps_its_shape_whatever_the_cells(text: str) -> None:
    table = "\n".join(md_table(["name", "value"], [[text, "1"], ["plain", md_bold(text)]], "lr"))
    tokens = MarkdownIt("commonmark").enable("table").parse(table)
    kinds = [t.type for t in tokens if t.type in ("tr_open", "th_open", "td_open")]
    assert kinds.count("tr_open") == 3 and kinds.count("td_open") == 4
    assert not [t for t in tokens if t.type.startswith(("heading", "bullet", "ordered", "html"))]
    rendered = _html(table)
    assert "<img" not in rendered and "<script" not in rendered and "<a " not in rendered


def test_markdown_made_by_the_writer_is_kept_and_numbers_stay_readable() -> None:
    assert md(Markdown("**x**")) == "**x**"
    assert md_bold("a*b") == "**a\\*b**"
    assert md_bold("") == ""
    assert md("-0.0123") == "-0.0123" and md("0.7773") == "0.7773"
    assert md("train_xgboost_20261128") == "train_xgboost_20261128"  # inside a word
    assert md("_x_ __y__ a_ _b") == "\\_x\\_ \\_\\_y\\_\\_ a\\_ \\_b"
    assert md(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),  # full-width '='
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("A-17", "A-17"),
        ("x\x1b[31mred", "x\\x1b[31mred"),  # a terminal colour, shown not obeyed
        ("a\x1b]8;;http://evil\x1b\\link", "a\\x1b]8;;http://evil\\x1b\\link"),  # a link
        ("\x9b31m", "\\x9b31m"),  # the one-byte escape sequence introducer
        ("\x00=1", "\\x00=1"),
        ("-0.5", "-0.5"),
        ("+1e-3", "+1e-3"),
        ("-", "-"),
        (-0.5, -0.5),
        (3, 3),
        (None, ""),
        (True, True),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, expected: object) -> None:
    assert csv_cell(value) == expected


def test_csv_lines_read_back_as_written() -> None:
    rows = [["id", "p"], ["=1+1", 0.25], ['a,b\n"c"', -1e-20], ["@x", float("nan")]]
    back = list(csv.reader(io.StringIO(csv_lines(rows))))
    assert back == [["id", "p"], ["'=1+1", "0.25"], ['a,b\n"c"', "-1e-20"], ["'@x", "nan"]]


def test_csv_frame_neutralises_text_columns_and_names_only() -> None:
    import pandas as pd

    frame = pd.DataFrame({"=id": ["=cmd", "ok", None], "p": [-0.5, 0.1, 0.2]})
    out = csv_frame(frame)
    assert list(out.columns) == ["'=id", "p"]
    assert out["'=id"].tolist()[:2] == ["'=cmd", "ok"] and out["p"].tolist() == [-0.5, 0.1, 0.2]
    assert frame["=id"].tolist()[0] == "=cmd"  # the caller's frame is not changed
    plain = pd.DataFrame({"a": [1, 2]})
    assert csv_frame(plain) is plain


def test_json_is_strict_and_keeps_text_exact() -> None:
    import numpy as np

    payload = {
        "nan": float("nan"),
        "inf": math.inf,
        "np": np.float64(0.5),
        "int": np.int64(3),
        "name": '</script><img src=x onerror=alert(1)>\n"q"',
        "path": __import__("pathlib").Path("/x"),
        "tuple": (1, 2),
    }

    def refuse(constant: str) -> None:
        raise AssertionError(f"non-standard JSON constant {constant}")

    back = json.loads(to_json(payload), parse_constant=refuse)
    assert back == {
        "nan": None,
        "inf": None,
        "np": 0.5,
        "int": 3,
        "name": payload["name"],
        "path": "/x",
        "tuple": [1, 2],
    }


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",
            "\\x1b]8;;http://evil\\x1b\\click\\x1b]8;;\\x1b\\",
        ),
        ("\x1b[2J", "\\x1b[2J"),
        ("bell\x07", "bell\\x07"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("del\x7f", "del\\x7f"),
        ("two\nlines\tand tab", "two\nlines\tand tab"),
        ("plain", "plain"),
    ],
)
def test_terminal_text_shows_control_characters_instead_of_obeying_them(
    text: str, shown: str
) -> None:
    from credit_mlops.escaping import terminal_text

    assert terminal_text(text) == shown


# Characters that reorder or hide text (Trojan Source): what a typed name is refused for.
INVISIBLE = [
    "lr\u202eevil",
    "a\u200bb",
    "x\u2066y\u2069",
    "z\ufeff",
    "soft\u00adhyphen",
    # letters or marks by category that render as nothing (default-ignorable code points)
    "lr\u3164x",
    "a\u115fb",
    "c\u034fd",
    "e\u17b4f",
    "g\ufe0fh",
]


@pytest.mark.parametrize("text", INVISIBLE)
def test_every_layer_shows_invisible_and_reordering_characters(text: str) -> None:
    from credit_mlops import names
    from credit_mlops.escaping import csv_text, html_text, terminal_text

    assert names.invisible(text)  # a typed name like this is refused...
    for layer in (terminal_text, csv_text, html_text, lambda t: _html(md(t))):
        out = layer(text)  # ...and one read back is shown, never obeyed
        assert not names.invisible(out.replace("\n", "")), (layer, out)
        assert "\\u" in out


def test_an_error_line_is_one_line_whatever_the_value() -> None:
    from credit_mlops.escaping import one_line

    assert one_line("--sort 'a\nb\r\tc\x1b'") == "--sort 'a\\nb\\x0d\\tc\\x1b'"


@pytest.mark.parametrize(
    "text",
    [
        "see https://evil.com/login now",
        "go to www.evil.com today",
        "WWW.EVIL.COM",
        "mail admin@evil.com",
        "ftp://files.evil.com/x",
    ],
)
def test_no_gfm_renderer_makes_a_link_of_a_name(text: str) -> None:
    """GFM's extended autolinks (URLs, www., e-mail, as GitHub renders them): the text stays
    text. markdown-it-py's gfm-like preset with linkify makes links of the raw text."""
    gfm = MarkdownIt("gfm-like")
    gfm.linkify.set({"fuzzy_link": True, "fuzzy_email": True})
    assert "<a " in gfm.render(text)  # the renderer does link the raw text...
    html = gfm.render(md(text))
    assert "<a " not in html  # ...not the escaped one
    assert html.strip() == f"<p>{text}</p>"


def test_a_mention_is_escaped() -> None:
    """GitHub makes `@name` a mention (a notification to that user); escaped, it is text."""
    assert md("ping @team") == "ping \\@team"


# CSV written from a frame: the frames whose cells or column names come from users go
# through `escaping.csv_frame` (formula neutralisation); these hold data kept as it is.
CSV_AS_DATA = {
    "train/outbox.py",  # the training data kept for a later sync: read back, never opened
    "data/tables.py",  # a data file in the published format, read back by the tool
    "lifecycle/evaluate.py",  # row numbers and figures only
}


def test_every_csv_written_from_a_frame_is_neutralised() -> None:
    import re

    from credit_mlops import escaping

    src = Path(escaping.__file__).parent
    raw = re.compile(r"(?<!csv_frame\()\b\w+\.to_csv\(fh")
    offenders = [
        f"{p.relative_to(src)}:{n}"
        for p in src.rglob("*.py")
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if raw.search(line) and str(p.relative_to(src)) not in CSV_AS_DATA
    ]
    assert offenders == []
