"""Write a model card to a folder: model_card.md, figures/*.png and model_card.html."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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


def check_writable(folder: Path) -> None:
    """Refuse a folder that cannot be written before any work is done (exit 2)."""
    probe = folder
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"--output {folder}: {probe} is a file, not a folder; pick a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"--output {folder}: {probe} is not writable; pick a writable folder")


def write(card: ModelCard, folder: Path) -> WrittenCard:
    check_writable(folder)
    try:
        figures_dir = folder / markdown.FIGURE_DIR
        figures_dir.mkdir(parents=True, exist_ok=True)
        figures = []
        for figure in card.figures:
            path = figures_dir / f"{figure.name}.png"
            path.write_bytes(figure.png)
            figures.append(path)
        md_path = folder / MARKDOWN
        md_path.write_text(markdown.render(card), encoding="utf-8")
        html_path = folder / HTML
        html_path.write_text(html.render(card), encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"--output {folder}: cannot write ({exc.strerror}); pick another folder"
        ) from exc
    return WrittenCard(folder, md_path, html_path, tuple(figures))
