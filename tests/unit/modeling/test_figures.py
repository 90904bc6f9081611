"""Figures: names the font cannot draw show as escapes, `$` as a dollar sign, long names
cut in the middle; and drawing them prints nothing on a real process's stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from credit_mlops.modeling.figures import drawable

BOLD_A = "\U0001d400"  # MATHEMATICAL BOLD CAPITAL A: DejaVu Sans has no glyph for it


def test_a_character_the_font_lacks_is_drawn_as_its_escape() -> None:
    assert drawable(f"x{BOLD_A}y") == "x\\U0001d400y"
    assert drawable("café ≥ 0.5 — ok") == "café ≥ 0.5 — ok"  # the font has these
    assert drawable("a\tb\x1b") == "a\\tb\\x1b"


def test_a_dollar_is_text_never_a_formula() -> None:
    assert drawable("$\\frac$") == "\\$\\frac\\$"


def test_a_long_name_keeps_its_start_and_end() -> None:
    shown = drawable(BOLD_A * 100 + " v1")
    assert shown.endswith(" v1") and shown.startswith("\\U0001d400") and "…" in shown
    assert len(shown) <= 81
    assert drawable("x" * 80) == "x" * 80


SCRIPT = """
import sys, numpy as np
from pathlib import Path
from credit_mlops.modeling.plots import save_figures
name = sys.argv[2]
rng = np.random.default_rng(0)
y = rng.integers(0, 2, 200); p = rng.random(200)
out = save_figures(y, p, 0.3, Path(sys.argv[1]), name)
print(len(out))
"""


def test_drawing_names_the_font_lacks_prints_nothing_on_stderr(tmp_path: Path) -> None:
    """A real process, with Python's warnings at their default (shown once per place)."""
    for name in (BOLD_A * 100, "$\\undefinedcommand$ run", "plain"):
        done = subprocess.run(
            [sys.executable, "-W", "default", "-c", SCRIPT, str(tmp_path / "f"), name],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "4" and done.stderr == ""
    assert (tmp_path / "f" / "roc_curve.png").stat().st_size > 0
