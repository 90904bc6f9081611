"""Model-agnostic attributions: Shapley values by permutation sampling over a fixed background.

For models with no exact explainer (the SVM, the ensemble, wrapped models), the contribution of
each original column is estimated by walking the columns in random orders (each order with its
reverse, antithetic sampling), switching columns from a background row to the applicant's value
and recording the change in P(bad), averaged over the background sample stored with the run.
Along every order the changes add up to f(x) - mean f(background), so additivity is exact;
the split between columns is an estimate whose precision grows with `permutations`.

Written here rather than taken from shap's PermutationExplainer because that one seeds numpy's
global random state and draws each row's orders in turn, so an applicant's reasons would depend
on the rows scored before it; here every row uses the same seeded orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from credit_runtime.explain.attribution import Attribution, need_background

PERMUTATIONS = 8  # orders per row, reverses included
SEED = 20190  # fixed: the same orders for every row and every call
CHUNK_CELLS = 400_000  # rows handed to predict_proba at once


class PermutationExplainer:
    method = "permutation Shapley values on the stored background sample, probability"
    needs_background = True

    def __init__(
        self,
        model: Any,
        columns: Sequence[str],
        background: pd.DataFrame | None,
        *,
        permutations: int = PERMUTATIONS,
        seed: int = SEED,
    ):
        from credit_runtime.fast_scoring import CheckedProba

        self.model = model
        self.p_bad = CheckedProba(model)  # the model's own P(bad), bit for bit
        self.columns = tuple(columns)
        reference = need_background(background, "a model-agnostic explanation")
        self.background = reference[list(self.columns)].reset_index(drop=True)
        self.dtypes = self.background.dtypes
        self.orders = _orders(len(self.columns), permutations, seed)

    def _proba(self, matrix: np.ndarray) -> np.ndarray:
        out = np.empty(len(matrix))
        step = max(1, CHUNK_CELLS // max(1, len(self.columns)))
        for start in range(0, len(matrix), step):
            part = pd.DataFrame(matrix[start : start + step], columns=list(self.columns))
            out[start : start + step] = self.p_bad(part.astype(self.dtypes))
        return out

    def explain(self, X: pd.DataFrame) -> Attribution:
        x = X[list(self.columns)].to_numpy(dtype=float)
        base = float(self._proba(self.background.to_numpy(dtype=float)).mean())
        rows = max(1, CHUNK_CELLS // (len(self.columns) * len(self.background)))
        values = np.vstack(
            [self._rows(x[i : i + rows], base) for i in range(0, len(x), rows)]
            or [np.zeros((0, len(self.columns)))]
        )
        return Attribution(
            values=values,
            base=np.full(len(x), base),
            columns=self.columns,
            space="probability",
            method=self.method,
            exact=False,
        )

    def _rows(self, x: np.ndarray, base: float) -> np.ndarray:
        bg = self.background.to_numpy(dtype=float)
        n, m, b = len(x), len(self.columns), len(bg)
        values = np.zeros((n, m))
        last = self._proba(x)  # every column switched: the applicant's own P(bad)
        for order in self.orders:
            # step k switches columns order[:k] to the applicant's values, in every bg row
            masks = np.zeros((m - 1, m), dtype=bool)
            for k in range(1, m):
                masks[k - 1 :, order[k - 1]] = True
            grid = np.where(masks[None, :, None, :], x[:, None, None, :], bg[None, None, :, :])
            inner = self._proba(grid.reshape(-1, m)).reshape(n, m - 1, b).mean(axis=2)
            steps = np.column_stack([np.full(n, base), inner, last])
            values[:, order] += np.diff(steps, axis=1)
        return values / len(self.orders)


def _orders(m: int, permutations: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    orders: list[np.ndarray] = []
    while len(orders) < permutations:
        order = rng.permutation(m)
        orders.extend([order, order[::-1].copy()])
    return orders[:permutations]
