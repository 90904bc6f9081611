"""Pictures of the global view: a bar of mean |attribution| and a beeswarm-style summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from credit_mlops.explain.attribution import Attribution
from credit_mlops.explain.summary import importance
from credit_mlops.modeling.figures import Drawn, drawable, save_png

SPACE_LABEL = {
    "log-odds": "contribution to the log-odds of a bad credit",
    "probability": "contribution to P(bad)",
    "points": "points below the characteristic's maximum",
}


def save_explain_figures(
    attribution: Attribution, X: pd.DataFrame, folder: Path, title: str, top: int = 20
) -> dict[str, Path]:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    ranked = importance(attribution)[:top][::-1]  # largest at the top of the picture
    title = drawable(title)  # names as every character shows, none warns
    names = [drawable(r.name) for r in ranked]
    label = SPACE_LABEL[attribution.space]
    out: dict[str, Path] = {}

    fig, ax = plt.subplots(figsize=(7, 0.3 * len(ranked) + 1.5))
    ax.barh(names, [r.mean_abs for r in ranked], color="#1f77b4")
    ax.set_xlabel(f"mean |{label}|")
    ax.set_title(f"{title}: importance per original column")
    out["importance_bar"] = _save(fig, folder / "importance_bar.png", plt)

    fig, ax = plt.subplots(figsize=(7, 0.35 * len(ranked) + 1.5))
    rng = np.random.default_rng(0)  # jitter only: the picture, not the figures
    index = {c: i for i, c in enumerate(attribution.columns)}
    for y, r in enumerate(ranked):
        phi = attribution.values[:, index[r.column]]
        colour = _scaled(X[r.column]) if r.column in X.columns else np.full(len(phi), 0.5)
        jitter = rng.uniform(-0.3, 0.3, len(phi))
        points = ax.scatter(phi, y + jitter, c=colour, cmap="coolwarm", s=6, vmin=0, vmax=1)
    ax.set_yticks(range(len(ranked)), names)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(f"{label} (right: towards rejection)")
    ax.set_title(f"{title}: each applicant's contributions")
    if ranked:
        fig.colorbar(points, ax=ax, label="value of the column (low → high)", ticks=[0, 1])
    out["summary_beeswarm"] = _save(fig, folder / "summary_beeswarm.png", plt)
    return out


def _scaled(values: pd.Series) -> np.ndarray:
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    low, high = np.nanmin(v), np.nanmax(v)
    return np.full(len(v), 0.5) if high <= low else (v - low) / (high - low)


def _save(fig: Drawn, path: Path, plt: object) -> Path:
    save_png(fig, path)
    plt.close(fig)  # type: ignore[attr-defined]
    return path
