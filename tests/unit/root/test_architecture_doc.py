"""docs/architecture.md is written from the code: every area and every module is in it, and its
layer diagram is the import-linter contract `make lint` runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]
PACKAGE = PROJECT / "src" / "credit_mlops"
DOC = PROJECT / "docs" / "architecture.md"


def _reference() -> str:
    text = DOC.read_text(encoding="utf-8")
    begin, end = text.index("<!-- modules:begin -->"), text.index("<!-- modules:end -->")
    return text[begin:end]


def _layers() -> list[str]:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (areas,) = [c for c in contracts if c["id"] == "areas"]
    return list(areas["layers"])


def test_every_module_is_in_the_module_reference() -> None:
    reference = _reference()
    missing = [
        p.relative_to(PACKAGE).as_posix()
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.name != "__init__.py" and f"`{p.relative_to(PACKAGE).as_posix()}`" not in reference
    ]
    assert missing == [], "add them (python -m docgen.modules prints the lines)"
    named = re.findall(r"^- `([^`]+\.py)`", reference, flags=re.M)
    gone = [name for name in named if not (PACKAGE / name).is_file()]
    assert gone == [], "the reference names modules that no longer exist"


def test_every_area_has_its_heading_and_its_layer() -> None:
    reference = _reference()
    areas = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert len(areas) >= 10
    in_layers = {
        name.strip().removeprefix("credit_mlops.")
        for layer in _layers()
        for name in layer.split("|")
    }
    for area in areas:
        assert f"### `{area}/`" in reference, area
        assert area in in_layers, f"{area} has no place in the areas contract"
    roots = {p.stem for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    assert roots <= in_layers, roots - in_layers


def test_the_diagram_is_the_contract() -> None:
    """The page's diagram lists the contract's layers, top to bottom, in the same order."""
    text = DOC.read_text(encoding="utf-8")
    lines = text.split("```", 2)[1].strip().splitlines()
    diagram = [line for line in lines if not line.startswith(" ")]  # not the continued notes
    drawn = [
        " | ".join(part.strip() for part in line.split("  ")[0].split("|")) for line in diagram
    ]
    expected = [
        " | ".join(n.strip().removeprefix("credit_mlops.") for n in layer.split("|"))
        for layer in _layers()
    ]
    assert drawn == expected
