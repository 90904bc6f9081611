"""The pictures of the documentation: terminal output becomes a self-contained SVG, and
every picture a page shows is one the pictures script writes."""

from __future__ import annotations

import re
from pathlib import Path

from docgen.pictures import svg
from tests.conftest import REPO


def test_terminal_output_becomes_a_self_contained_svg(tmp_path: Path) -> None:
    out = tmp_path / "table.svg"
    svg("\x1b[1;32m0.7841\x1b[0m best\nline two\n", "credit compare", out)
    text = out.read_text()
    shown = text.replace("&#160;", " ")
    assert text.startswith("<svg") and "credit compare" in shown
    assert "0.7841" in shown and "line two" in shown
    assert not re.search(r"url\(\s*[\"']?https?:", text)  # no web font fetched on opening


def test_every_picture_the_pages_show_is_written_by_the_script() -> None:
    script = (REPO / "docgen" / "pictures.py").read_text()
    shown = {
        name
        for page in (REPO / "docs").glob("*.md")
        for name in re.findall(r"\]\(images/([\w.-]+)\)", page.read_text())
    }
    assert shown
    for name in shown:
        stem = name.rsplit(".", 1)[0]
        made = name in script or stem.split("-")[0] in ("fairness", "monitor")
        assert made, f"{name} is shown but docgen/pictures.py does not write it"
        assert (REPO / "docs" / "images" / name).is_file(), f"{name} is not in docs/images/"
