"""Write a model card to a folder: model_card.md, figures/*.png and model_card.html."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from credit_mlops import files
from credit_mlops.errors import InputError
from credit_mlops.report import html, markdown
from credit_mlops.report.card import ModelCard

MARKDOWN = "model_card.md"
HTML = "model_card.html"


@dataclass(frozen=True)
class WrittenCard:
    folder: Path
    markdown: Path
    html: Path
    figures: tuple[Path, ...]


def write(card: ModelCard, folder: Path) -> WrittenCard:
    files.check_writable(folder)
    for name, mark in ((MARKDOWN, markdown.MARK), (HTML, html.MARK)):
        _ours_or_none(folder / name, mark)
    try:
        figures_dir = folder / markdown.FIGURE_DIR
        figures_dir.mkdir(parents=True, exist_ok=True)
        figures = []
        for figure in card.figures:
            path = figures_dir / f"{figure.name}.png"
            files.write_bytes(path, figure.png)
            figures.append(path)
        md_path = folder / MARKDOWN
        files.write_text(md_path, markdown.render(card))
        html_path = folder / HTML
        files.write_text(html_path, html.render(card))
    except OSError as exc:
        raise InputError(
            f"--output {folder}: cannot write ({exc.strerror}); pick another folder"
        ) from exc
    return WrittenCard(folder, md_path, html_path, tuple(figures))


def _ours_or_none(path: Path, mark: str) -> None:
    """A card already in the folder is replaced only if credit report wrote it: a file of
    the user's own under that name is kept, and said, before anything is written."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 22)  # a card is far smaller; its mark is near its start or end
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"--output: cannot read {path} ({exc.strerror})") from None
    if mark.encode() not in head:
        raise InputError(
            f"--output: {path} was not written by credit report and would be replaced; move "
            "it away or pick another folder"
        )
