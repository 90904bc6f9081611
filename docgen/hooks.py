"""MkDocs hook: adds the generated pages and keeps the nav to the pages that exist.

Loaded by `mkdocs.yml` (`hooks:`). The reference pages are rendered from the installed code
and the benchmark pages from the newest results under benchmarks/results/, at every build,
so neither can drift from what they describe.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# mkdocs loads a hook by path and restores sys.path afterwards: import the package now.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from docgen import benchmarks, commands, settings  # noqa: E402

GENERATED: dict[str, Callable[[], str]] = {
    "reference/commands.md": commands.page,
    "reference/settings.md": settings.page,
    "benchmark-results.md": benchmarks.page,
}


def render(src_uri: str) -> str:
    return GENERATED[src_uri]()


def _exists(docs_dir: Path, entry: Any) -> bool:
    return (
        not isinstance(entry, str)
        or "://" in entry
        or (docs_dir / entry).is_file()
        or (entry in GENERATED)
    )


def _prune(docs_dir: Path, nav: list[Any]) -> list[Any]:
    """The nav without pages that are not written yet (and sections left empty)."""
    kept: list[Any] = []
    for item in nav:
        if isinstance(item, dict):
            ((title, value),) = item.items()
            if isinstance(value, list):
                value = _prune(docs_dir, value)
                if value:
                    kept.append({title: value})
            elif _exists(docs_dir, value):
                kept.append(item)
        elif _exists(docs_dir, item):
            kept.append(item)
    return kept


def _listed(nav: list[Any]) -> set[str]:
    found: set[str] = set()
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            found |= _listed(value)
        elif isinstance(value, str):
            found.add(value)
    return found


def _title(page: Path) -> str:
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip().strip("`")
    return page.stem.replace("-", " ").capitalize()


def _unlisted(docs_dir: Path, nav: list[Any]) -> list[dict[str, str]]:
    """Pages written into docs/ but not named in mkdocs.yml: listed rather than hidden."""
    listed = _listed(nav)
    pages = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md"))
    return [{_title(docs_dir / uri): uri} for uri in pages if uri not in listed]


def on_config(config: Any) -> Any:
    if config.nav:
        docs_dir = Path(config.docs_dir)
        nav = _prune(docs_dir, config.nav)
        extra = _unlisted(docs_dir, nav)
        if extra:
            nav.append({"More": extra})
        config.nav = nav
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for src_uri in GENERATED:
        files.append(File.generated(config, src_uri, content=render(src_uri)))
    return files
