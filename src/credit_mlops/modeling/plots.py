"""Evaluation pictures: confusion matrix, ROC, precision-recall and calibration curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def save_figures(
    y_bad: np.ndarray, proba_bad: np.ndarray, threshold: float, folder: Path, title: str
) -> dict[str, Path]:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt
    from sklearn.calibration import CalibrationDisplay
    from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay, RocCurveDisplay

    from credit_mlops.modeling.figures import drawable, save_png

    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    title = drawable(title)  # a run's name: every character shows, none warns

    def save(name: str, fig: plt.Figure) -> None:
        out[name] = save_png(fig, folder / f"{name}.png")
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.5, 4))
    ConfusionMatrixDisplay.from_predictions(
        y_bad,
        (proba_bad >= threshold).astype(int),
        display_labels=["good", "bad"],
        ax=ax,
        colorbar=False,
    )
    ax.set_title(f"{title}\nreject when P(bad) ≥ {threshold:.3f}")
    save("confusion_matrix", fig)

    fig, ax = plt.subplots(figsize=(4.5, 4))
    RocCurveDisplay.from_predictions(y_bad, proba_bad, ax=ax, name=title, plot_chance_level=True)
    ax.set_title("ROC curve (positive: bad)")
    save("roc_curve", fig)

    fig, ax = plt.subplots(figsize=(4.5, 4))
    PrecisionRecallDisplay.from_predictions(
        y_bad, proba_bad, ax=ax, name=title, plot_chance_level=True
    )
    ax.set_title("Precision-recall curve (positive: bad)")
    save("precision_recall_curve", fig)

    fig, ax = plt.subplots(figsize=(4.5, 4))
    CalibrationDisplay.from_predictions(y_bad, proba_bad, n_bins=10, ax=ax, name=title)
    ax.set_title("Calibration curve")
    save("calibration_curve", fig)
    return out
