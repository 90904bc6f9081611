"""One picture per protected attribute: reject rate, TPR and FPR per group."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from credit_mlops.data.description import file_part
from credit_mlops.fairness.metrics import AttributeReport, FairnessReport
from credit_mlops.modeling.figures import Drawn, drawable, save_png


def save_fairness_figures(report: FairnessReport, folder: Path, title: str) -> dict[str, Path]:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for attribute in report.attributes:
        fig = _figure(plt, attribute, title)
        name = "fairness_" + file_part(attribute.attribute)  # distinct: description.same_name
        out[name] = save_png(fig, folder / f"{name}.png")
        plt.close(fig)  # type: ignore[arg-type]
    return out


def _figure(plt: object, attribute: AttributeReport, title: str) -> Drawn:
    groups = attribute.groups
    names = [f"{drawable(str(g.group))}\n(n={g.count})" for g in groups]
    x = np.arange(len(groups))
    fig, ax = plt.subplots(figsize=(1.6 * len(groups) + 2.5, 4))  # type: ignore[attr-defined]
    width = 0.27
    for offset, (label, values) in zip(
        (-width, 0.0, width),
        (
            ("reject rate", [g.reject_rate for g in groups]),
            ("TPR (bad rejected)", [g.tpr for g in groups]),
            ("FPR (good rejected)", [g.fpr for g in groups]),
        ),
        strict=True,
    ):
        ax.bar(x + offset, np.nan_to_num(values), width, label=label)
    for i, g in enumerate(groups):
        if g.verdict.startswith("below"):
            ax.annotate(g.verdict, (i, 1.02), ha="center", color="firebrick", fontsize=8)
        elif g.verdict != "ok":
            ax.annotate("no verdict", (i, 1.02), ha="center", color="grey", fontsize=8)
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("rate")
    gap = attribute.parity_difference
    shown = "n/a" if np.isnan(gap) else f"{gap:.3f}"
    ax.set_title(f"{drawable(title)}: {drawable(attribute.attribute)} (parity difference {shown})")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
