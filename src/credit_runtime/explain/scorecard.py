"""Reasons of a WoE scorecard: the characteristics with the most points below their maximum
(the method credit bureaus use), from the scorecard's own table
(`modeling.scorecard_table.points_below_max`).

values[i, c] = max points of c - applicant i's points for c (>= 0, larger = a stronger reason);
base = - the sum of the maxima; values + base add up to minus the applicant's score, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from credit_runtime.errors import ExplanationUnavailable
from credit_runtime.explain.attribution import Attribution


class ScorecardExplainer:
    method = "points below each characteristic's maximum (scorecard), points"
    needs_background = False

    def __init__(self, model: Any, columns: Sequence[str], background: pd.DataFrame | None):
        from credit_runtime.scorecard_table import find_scorecard, max_points

        card = find_scorecard(model)
        if card is None:
            raise ExplanationUnavailable("a scorecard key whose model holds no fitted scorecard")
        self.model = model
        self.columns = tuple(columns)
        self.best = max_points(card)  # the fitted model's own: built once, not per call
        self.best_total = float(self.best.sum())

    def explain(self, X: pd.DataFrame) -> Attribution:
        from credit_runtime.frames import names
        from credit_runtime.scorecard_table import points_below_max

        same = names(X) == list(self.columns)  # the very frame: its points are
        # reused within a decision (`scorecard.reusing`)
        below = points_below_max(self.model, X if same else X[list(self.columns)], self.best)
        if names(below) == list(self.columns):  # the usual case: no reindexing
            values = below.to_numpy(dtype=float)
        else:
            values = below.reindex(columns=list(self.columns), fill_value=0.0).to_numpy(dtype=float)
        return Attribution(
            values=values,
            base=np.full(len(X), -self.best_total),
            columns=self.columns,
            space="points",
            method=self.method,
            exact=True,
        )
