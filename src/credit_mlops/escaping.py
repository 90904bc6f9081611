"""One escaping layer per output format; every writer goes through it.

Names shown in outputs (runs, models, experiments, files, ids, groups) come from users or
from a shared store, so each format makes them inert where it shows them:

- Markdown (CommonMark/GFM): every character with a meaning is backslash-escaped, `<` and
  `&` included, so no HTML, link, image, emphasis or table cell can be forged; control
  characters and line breaks become spaces, so no heading or row can be injected. Markup
  the writer itself adds is a `Markdown` value and is not escaped again.
- CSV: a text cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR,
  and their full-width forms) is prefixed with `'`, as OWASP's CSV injection guidance
  says; the csv module quotes separators, quotes and line breaks; other control characters
  (terminal escape sequences) are shown as `\\x1b`. Numbers stay numbers.
- JSON: values a JSON parser refuses (NaN, infinities) become null; anything else that is
  not JSON becomes its text. The encoder escapes quotes and control characters.
- HTML: `html_text`, `html.escape` of the shown text, used by the report's HTML writer.

In the Markdown, terminal and CSV layers, characters that are invisible or reorder the text
(direction overrides and isolates, zero-width characters, other format characters: what
`names.invisible` refuses in a typed name) are shown as `\\u202e`, so a name read back from a
store reads as a typed one would be refused, never reversed or hidden (Trojan Source).

Standard library only.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

# --- Invisible characters --------------------------------------------------------------

_NON_ASCII = re.compile(r"[^\x00-\x7e]")


def shown(text: str) -> str:
    """`text` with every invisible or reordering character written as `\\u202e` (controls
    below 0xA0 are each layer's own to show: `\\x1b`, or a space in Markdown)."""
    if not _NON_ASCII.search(text):
        return text
    from credit_mlops.invisible import hidden

    return "".join(
        (f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        if ord(c) > 0x9F and hidden(c)
        else c
        for c in text
    )


# --- Markdown --------------------------------------------------------------------------

# Characters with a meaning anywhere on a line: code, emphasis, links and images ('!' is
# inert once '[' is escaped), raw HTML and autolinks, entities, table cells, strikethrough,
# headings. Numbers and plain words stay readable.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>&|~#])")
# '_' inside a word (between letters or digits) can neither open nor close emphasis in
# CommonMark: only the others are escaped, so model names stay readable (logistic_regression).
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# Meaningful only where a line starts: list items, setext underlines and thematic breaks,
# ordered list items ("1. ").
_MD_LEADING = re.compile(r"^(\s*)([-+=])(?=\s|$|[-+=])|^(\s*\d{1,9})([.)])(?=\s|$)")
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
# GFM's extended autolinks make links of bare text: `scheme://...`, `www.host` and
# `user@host.tld` (and GitHub `@mentions`). Escaping the ':' of a scheme, the '.' after
# `www` and every '@' splits the text where a renderer looks for them.
_MD_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9])(:)(?=//)|(?<![A-Za-z0-9])((?i:www))(\.)|(@)")


class Markdown(str):
    """Markdown made by a writer from escaped parts: passed through as it is."""

    __slots__ = ()


def md(value: object) -> Markdown:
    """`value` as inert Markdown text (on one line); `Markdown` values are kept as they are."""
    if isinstance(value, Markdown):
        return value
    text = shown(_BREAKS.sub(" ", "" if value is None else str(value)))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_AUTOLINK.sub(_escape_autolink, text)
    return Markdown(_MD_LEADING.sub(_escape_leading, text))


def _escape_autolink(m: re.Match[str]) -> str:
    if m.group(2):
        return f"{m.group(2)}\\."
    return "\\" + (m.group(1) or m.group(4))


def _escape_leading(m: re.Match[str]) -> str:
    if m.group(2):
        return f"{m.group(1)}\\{m.group(2)}"
    return f"{m.group(3)}\\{m.group(4)}"


def md_bold(value: object) -> Markdown:
    text = md(value)
    return Markdown(f"**{text}**" if text else "")


def md_italic(value: object) -> Markdown:
    text = md(value)
    return Markdown(f"*{text}*" if text else "")


def md_row(cells: Iterable[object]) -> str:
    """One table row; each cell escaped unless the writer made it `Markdown`."""
    return "| " + " | ".join(md(c) for c in cells) + " |"


def md_table(
    headers: Sequence[object], rows: Iterable[Sequence[object]], align: str | None = None
) -> list[str]:
    """A GFM table; `align` holds one letter per column: l(eft) or r(ight)."""
    marks = align or "l" * len(headers)
    rule = "| " + " | ".join("---:" if a == "r" else "---" for a in marks) + " |"
    return [md_row(headers), rule, *(md_row(r) for r in rows)]


# --- HTML ----------------------------------------------------------------------------


def html_text(value: object) -> str:
    """Text inert in HTML (`<`, `&` and quotes escaped) with invisible and reordering
    characters shown as `\\u202e`."""
    import html

    return html.escape(shown("" if value is None else str(value)))


# --- Terminal ------------------------------------------------------------------------

# C0 and C1 controls and DEL, but line breaks and tabs: an escape sequence in a name could
# recolour, retitle or clear the terminal, or hide a link behind text (OSC 8).
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(value: object) -> str:
    """Text shown on a terminal with every control character made visible (`\\x1b`), and
    every invisible or reordering one (`\\u202e`)."""
    text = "" if value is None else str(value)
    return shown(_TERMINAL_CONTROL.sub(_visible, text))


def one_line(value: object) -> str:
    """`terminal_text` that also shows line breaks and tabs (`\\n`, `\\t`): an error or a
    log line a user's value cannot split in two (nor forge a second `error:` line)."""
    text = terminal_text(value)
    return text.replace("\n", "\\n").replace("\t", "\\t")  # CR: terminal_text's \x0d


def _visible(control: re.Match[str]) -> str:
    return f"\\x{ord(control.group()):02x}"


# --- CSV -------------------------------------------------------------------------------

# What spreadsheets treat as the start of a formula (OWASP CSV injection); full-width forms
# are folded to ASCII by some of them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# A plain number written as text ("-0.050", "+1e-3") evaluates to itself: left as it is,
# like a lone "-" (no value), so figures stay figures.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|-")


# The terminal's control characters but carriage return (with tab and line feed, the csv
# module's to quote).
_CSV_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def csv_text(value: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates, and a terminal prints
    without acting on (control characters shown as `\\x1b`)."""
    value = shown(_CSV_CONTROL.sub(_visible, value))
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_read_text(value: str) -> str:
    """A text `csv_text` neutralised, read back as it was: `'=x` is `=x` again (a quote
    before anything else, or before a plain number, was the cell's own)."""
    rest = value[1:]
    if value[:1] == "'" and rest.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(rest):
        return rest
    return value


def csv_cell(value: object) -> object:
    """Numbers (and booleans) as they are; everything else as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    return csv_text(str(value))


def csv_writer(fh: IO[str], **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(fh, **kwargs)


class SafeCsvWriter:
    """csv.writer whose every text cell goes through `csv_cell`."""

    def __init__(self, fh: IO[str], **kwargs: Any) -> None:
        kwargs.setdefault("lineterminator", "\n")
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(c) for c in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_lines(rows: Iterable[Iterable[object]]) -> str:
    buf = io.StringIO()
    csv_writer(buf).writerows(rows)
    return buf.getvalue()


def csv_frame(frame: Any) -> Any:
    """A pandas frame whose text columns (and names) are neutralised; numbers untouched."""
    text = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) == "str"]
    if not text and all(csv_text(str(c)) == str(c) for c in frame.columns):
        return frame
    out = frame.copy()
    for c in text:
        out[c] = out[c].map(lambda v: v if not isinstance(v, str) else csv_text(v))
    out.columns = [csv_text(str(c)) for c in out.columns]
    return out


# --- JSON ------------------------------------------------------------------------------


def json_safe(value: object) -> object:
    """Plain JSON values: NaN and infinities become null, unknown objects their text."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_safe(value.item())
    return str(value)


def to_json(value: object, *, indent: int | None = 2) -> str:
    """Strict JSON (any parser reads it back) of `value`."""
    return json.dumps(json_safe(value), indent=indent, allow_nan=False, ensure_ascii=False)
