"""Figures saved without library noise, and names drawn so that every character shows.

matplotlib warns on stderr, with a source line, for each character its font lacks (a run
named in mathematical letters gives one warning per figure): a command that succeeded
prints no such noise, so figures are drawn and saved with warnings off. A name a user gave
(model, run, group, column) is drawn as it is where the font has every character; a
character it lacks is drawn as its escape (`\\U0001d400`), never as an empty box, and a `$`
is drawn as a dollar sign, never as the start of a formula (a stray one breaks the figure).
A long name is cut to fit the picture, ending with `…`.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol


class Drawn(Protocol):
    """A figure that saves itself (matplotlib's `Figure`)."""

    def savefig(self, fname: IO[bytes], *, format: str, dpi: int, bbox_inches: str) -> object: ...


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No warning from the libraries that draw (matplotlib, scikit-learn, Optuna) reaches
    stderr while a figure is drawn or saved."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def save_png(fig: Drawn, path: Path) -> Path:
    """`fig` as a PNG at `path`, whole or not at all (`files.atomic_write`), quietly."""
    from credit_mlops import files

    with quiet(), files.atomic_write(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=110, bbox_inches="tight")
    return path


@functools.cache
def _glyphs() -> frozenset[int]:
    """The code points the default font draws (DejaVu Sans unless configured otherwise)."""
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(font_manager.FontProperties(), fallback_to_default=True)
    return frozenset(ft2font.FT2Font(path).get_charmap())


def drawable(text: str, limit: int = 80) -> str:
    """`text` as a figure shows it: characters the font lacks (and controls) as escapes,
    `$` as a plain dollar sign; past `limit` drawn characters its middle becomes `…` (a
    long name would stretch the picture to thousands of pixels; its end, often a
    version, stays)."""
    pieces = [_piece(ch) for ch in str(text)]
    if sum(w for _, w in pieces) <= limit:
        return "".join(p for p, _ in pieces)
    head = _fitting(pieces, limit // 2)
    tail = _fitting(pieces[::-1], limit // 2)
    return "".join(p for p, _ in pieces[:head]) + "…" + "".join(p for p, _ in pieces[-tail:])


def _piece(ch: str) -> tuple[str, int]:
    """How one character is written for matplotlib, and how wide it is drawn."""
    if ch == "$":
        return r"\$", 1  # matplotlib's own escape: a dollar sign, not a formula
    if ch.isprintable() and ord(ch) in _glyphs():
        return ch, 1
    escaped = ch.encode("unicode_escape").decode("ascii")
    return escaped, len(escaped)


def _fitting(pieces: list[tuple[str, int]], limit: int) -> int:
    """How many of the leading pieces fit in `limit` (at least one)."""
    width = 0
    for count, (_, w) in enumerate(pieces):
        width += w
        if width > limit:
            return max(count, 1)
    return len(pieces)
