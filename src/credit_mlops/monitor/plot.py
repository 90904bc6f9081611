"""The score's distribution shift as a picture: reference vs current share per score bin."""

from __future__ import annotations

from pathlib import Path

from credit_mlops.modeling.figures import drawable, save_png
from credit_mlops.monitor.stability import MonitorResult


def score_shift_png(result: MonitorResult, path: Path, title: str) -> Path:
    import numpy as np
    from matplotlib.figure import Figure  # no pyplot: no window, no global state, faster

    s = result.score
    x = np.arange(s.bins)
    fig = Figure(figsize=(7.5, 4))
    ax = fig.subplots()
    width = 0.4
    ax.bar(x - width / 2, s.reference, width, label=f"training ({result.reference_rows:,} rows)")
    ax.bar(x + width / 2, s.current, width, label=f"monitored ({result.rows:,} rows)")
    ax.axhline(1 / s.bins, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xticks(x, s.labels, rotation=35, ha="right", fontsize=8)
    ax.set_xlabel("P(bad) bin (deciles of the out-of-fold training scores)")
    ax.set_ylabel("share of applicants")
    ax.set_title(
        f"{drawable(title)}\nscore PSI {s.psi:.3f} ({s.band}) · reject rate at P(bad) ≥ "
        f"{result.threshold:.3f}: {result.reject_rate_reference:.1%} → "
        f"{result.reject_rate_current:.1%}",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_png(fig, path)
