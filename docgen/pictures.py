"""Regenerate the pictures of the documentation from a real run on the shipped data.

    python -m docgen.pictures            # or: make docs-pictures

In a throwaway project (the repository's configs and shipped data, a fresh local store) it
trains logistic regression, XGBoost and the scorecard, then runs `credit compare`,
`credit scorecard`, `credit fairness`, `credit monitor` on planted drift and
`credit report`, and writes into docs/images/:

- compare.svg, scorecard.svg, monitor.svg: the terminal output, as the terminal shows it;
- fairness-<attribute>.png, monitor-score-shift.png: the plots the commands wrote;
- model-card.png: the model card's HTML page in headless Chromium (when one is installed;
  CREDIT_CHROMIUM names another path).

It trains models, so it takes minutes of CPU; nothing is timed.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "docs" / "images"
CREDIT = str(Path(sys.executable).parent / "credit")
WIDTH = 110
CHROMIUM = Path(os.environ.get("CREDIT_CHROMIUM", "/usr/bin/chromium"))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    return env | {"COLUMNS": str(WIDTH), "FORCE_COLOR": "1", "TERM": "xterm-256color"}


def credit(project: Path, *args: str, ok: tuple[int, ...] = (0,)) -> str:
    sys.stderr.write("$ credit " + " ".join(args) + "\n")
    proc = subprocess.run(
        [CREDIT, *args], cwd=project, env=_env(), capture_output=True, text=True, timeout=1800
    )
    if proc.returncode not in ok:
        raise SystemExit(f"credit {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def svg(ansi: str, title: str, out: Path, max_lines: int = 60) -> None:
    """The terminal's output (colours included) as an SVG picture of a terminal window."""
    from rich.console import Console
    from rich.text import Text

    lines = ansi.rstrip("\n").splitlines()
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], "…"]
    console = Console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=True)
    console.print(Text.from_ansi("\n".join(lines)))
    # Rich points at web fonts on a CDN: keep the picture self-contained (local font or monospace).
    picture = re.sub(r",\s*url\([^)]*\) format\(\"[^\"]*\"\)", "", console.export_svg(title=title))
    out.write_text(picture)


def screenshot(html: Path, out: Path) -> bool:
    if not CHROMIUM.is_file():
        sys.stderr.write(f"no Chromium at {CHROMIUM}: model-card.png not renewed\n")
        return False
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.screenshot(path=str(out), full_page=False)
        finally:
            browser.close()
    return True


def project(root: Path) -> Path:
    shutil.copytree(REPO / "configs", root / "configs")
    shipped = Path("data") / "south-german-credit"
    shutil.copytree(REPO / shipped, root / shipped)
    return root


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="credit-pictures-") as tmp:
        p = project(Path(tmp) / "credit-mlops")
        credit(p, "train", "--model", "logistic_regression,xgboost,scorecard", "--quiet")
        svg(credit(p, "compare"), "credit compare", IMAGES / "compare.svg")
        svg(
            credit(p, "scorecard", "scorecard"),
            "credit scorecard scorecard",
            IMAGES / "scorecard.svg",
            max_lines=42,
        )
        fair = p / "fairness"
        credit(p, "fairness", "logistic_regression", "--output-dir", str(fair))
        for png in sorted(fair.rglob("*.png")):
            name = png.stem.removeprefix("fairness_").replace("_", "-")
            shutil.copy(png, IMAGES / f"fairness-{name}.png")
        credit(p, "data", "drift", "--rows", "1000", "--shift", "longer", "--output", "longer.csv")
        monitor = p / "monitoring"
        out = credit(p, "monitor", "xgboost", "--data", "longer.csv", "--output-dir", str(monitor))
        svg(out, "credit monitor xgboost --data longer.csv", IMAGES / "monitor.svg", max_lines=40)
        for png in sorted(monitor.rglob("*.png")):
            shutil.copy(png, IMAGES / f"monitor-{png.stem.replace('_', '-')}.png")
        credit(p, "explain", "xgboost")
        credit(p, "report", "xgboost", "--output", "card")
        screenshot(p / "card" / "model_card.html", IMAGES / "model-card.png")
    names = ", ".join(sorted(f.name for f in IMAGES.iterdir()))
    sys.stderr.write(f"pictures in {IMAGES.relative_to(REPO)}: {names}\n")


if __name__ == "__main__":
    main()
