"""Optuna's optimization-history and parameter-importance figures, drawn with matplotlib
(Optuna's plotly versions would need plotly and a browser to save)."""

from __future__ import annotations

import warnings
from typing import Any


def figures(study: Any) -> dict[str, Any]:
    """`name -> matplotlib Figure` for the study's finished trials; a figure that needs more
    complete trials than there are (importances need two) is left out."""
    import matplotlib

    matplotlib.use("Agg")
    from optuna.trial import TrialState
    from optuna.visualization import matplotlib as ovm

    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    out: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
        if complete:
            out["optimization_history"] = ovm.plot_optimization_history(study).figure
        if len(complete) >= 2 and complete[0].params:
            out["param_importances"] = ovm.plot_param_importances(study).figure
    return out
