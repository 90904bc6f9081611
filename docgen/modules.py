"""Print the module reference of docs/architecture.md from the modules' own docstrings.

    python -m docgen.modules > /tmp/modules.md

Paste the output between the `modules:begin` and `modules:end` markers of the page;
`tests/unit/root/test_architecture_doc.py` fails when an area or a module is missing there.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "credit_mlops"


def summary(path: Path) -> str:
    """The docstring's first sentence, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    text = " ".join(doc.split("\n\n")[0].split())
    match = re.match(r"(.+?[.])(\s|$)", text)
    return (match.group(1) if match else text).rstrip(":;.") + "."


def modules() -> dict[str, list[Path]]:
    """Area -> its modules ('' for the package's root modules)."""
    out: dict[str, list[Path]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        area = rel.parts[0] if len(rel.parts) > 1 else ""
        out.setdefault(area, []).append(rel)
    return out


def render() -> str:
    lines: list[str] = []
    for area, rels in modules().items():
        lines += ["", f"### `{area or 'credit_mlops'}/`" if area else "### root modules", ""]
        for rel in rels:
            if rel.name == "__init__.py":
                continue
            name = rel.as_posix()
            lines.append(f"- `{name}`: {summary(ROOT / rel)}")
    return "\n".join(lines).lstrip("\n") + "\n"


if __name__ == "__main__":
    print(render(), end="")  # noqa: T201 - a developer script, not the product
