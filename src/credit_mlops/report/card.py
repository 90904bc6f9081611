"""The model card as typed blocks; the renderers know nothing about models."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text (no markup: it is escaped for each format)."""

    body: str


@dataclass(frozen=True)
class Facts:
    """Label-value pairs, shown as a two-column table."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.headers):
                raise ValueError(f"row {row!r} has {len(row)} cells, not {len(self.headers)}")


@dataclass(frozen=True)
class Figure:
    """A PNG picture; `name` becomes its file name beside the Markdown card."""

    name: str
    caption: str
    png: bytes

    def __post_init__(self) -> None:
        if not self.png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError(f"figure {self.name!r} is not a PNG image")
        if not re.fullmatch(r"[a-z0-9_-]+", self.name):
            raise ValueError(f"figure name {self.name!r}: use a-z, 0-9, _ and - only")


Block = Text | Facts | Table | Figure


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]

    @property
    def anchor(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")


@dataclass(frozen=True)
class ModelCard:
    title: str
    subtitle: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, Figure))

    def __post_init__(self) -> None:
        names = [f.name for f in self.figures]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"figure name(s) used twice: {', '.join(dupes)}")
