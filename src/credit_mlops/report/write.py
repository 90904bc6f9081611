"""Write a model card to a folder: model_card.md, figures/*.png and model_card.html.

The card is written whole or not at all: every file is first written beside its place (a
temporary file of `files.temp_beside`), and only when all are written are they renamed into
place, so a full disk leaves the folder as it was. A file already there is replaced only if
credit wrote it (`owned_outputs`; a card of an older credit, without the manifest, by its
mark)."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from credit_mlops import files, owned_outputs
from credit_mlops.errors import InputError
from credit_mlops.report import html, markdown
from credit_mlops.report.card import ModelCard

MARKDOWN = "model_card.md"
HTML = "model_card.html"
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)  # the CLI says these in its own line (exit 1)


@dataclass(frozen=True)
class WrittenCard:
    folder: Path
    markdown: Path
    html: Path
    figures: tuple[Path, ...]


def write(card: ModelCard, folder: Path) -> WrittenCard:
    files.check_writable(folder)
    figures_dir = folder / markdown.FIGURE_DIR
    planned = [(figures_dir / f"{figure.name}.png", figure.png) for figure in card.figures]
    planned += [
        (folder / MARKDOWN, markdown.render(card).encode()),
        (folder / HTML, html.render(card).encode()),
    ]
    _refuse_foreign(folder, [path for path, _ in planned])
    names = [path.relative_to(folder).as_posix() for path, _ in planned]
    entry = owned_outputs.manifest_with(folder, names)
    made_dir = not figures_dir.exists()
    staged: list[tuple[Path, Path]] = []
    try:
        if entry is not None:  # listed before any of it is in place: never a card unlisted
            files.write_text(*entry)
        figures_dir.mkdir(exist_ok=True)
        for path, content in planned:
            tmp = files.temp_beside(path)
            staged.append((tmp, path))
            with tmp.open("wb") as fh:  # a temporary file of `files`, published below
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in staged:
            files.publish(tmp, path)
    except BaseException as exc:
        for tmp, _ in staged:
            files.discard(tmp)
        if made_dir and figures_dir.is_dir() and not any(figures_dir.iterdir()):
            figures_dir.rmdir()
        if not isinstance(exc, OSError) or exc.errno in _DISK_FULL:
            raise
        raise InputError(
            f"--output {folder}: cannot write ({exc.strerror}); pick another folder"
        ) from exc
    figures = tuple(path for path, _ in planned[:-2])
    return WrittenCard(folder, folder / MARKDOWN, folder / HTML, figures)


def _refuse_foreign(folder: Path, paths: list[Path]) -> None:
    """Before anything is written: a file of the user's under a name of the card is kept,
    and said. Without the manifest's word, a card with credit's mark is credit's, and so
    are the figures beside it (a card of an older credit)."""
    owned_outputs.guard(folder)
    marks = {folder / MARKDOWN: markdown.MARK, folder / HTML: html.MARK}
    names = [p.relative_to(folder).as_posix() for p in paths]
    clash = owned_outputs.foreign(folder, names)
    older = any(p in clash and _marked(p, mark) for p, mark in marks.items())
    for path in clash:
        if path in marks and _marked(path, marks[path]):
            continue
        if older and path.parent == folder / markdown.FIGURE_DIR:
            continue
        raise InputError(
            f"--output: {path} was not written by credit report and would be replaced; "
            "move it away or pick another folder"
        )


def _marked(path: Path, mark: str) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 22)  # a card is far smaller; its mark is near its start or end
    except OSError as exc:
        raise InputError(f"--output: cannot read {path} ({exc.strerror})") from None
    return mark.encode() in head
