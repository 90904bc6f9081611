"""The RBF SVM's kernel approximation (`credit train --svm-approx`): Nystroem features with
the exact SVM's gamma='scale', then a linear SVM. Its cost grows linearly with the rows,
where the exact SVC grows about quadratically (modeling/svm_scale.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted


class ScaledNystroem(TransformerMixin, BaseEstimator):
    """Nystroem RBF features; gamma=None means SVC's gamma='scale': 1 / (n_features * X.var()).

    Nystroem itself takes only a number for gamma; this works it out from the rows it is
    fitted on, as SVC does, so the approximation approximates the catalogue's exact kernel.
    """

    def __init__(
        self, n_components: int = 100, gamma: float | None = None, random_state: Any = None
    ) -> None:
        self.n_components = n_components
        self.gamma = gamma
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> ScaledNystroem:
        from sklearn.kernel_approximation import Nystroem

        X = check_array(X, dtype=np.float64)
        variance = float(X.var())
        gamma = self.gamma
        if gamma is None:
            gamma = 1.0 / (X.shape[1] * variance) if variance > 0 else 1.0
        self.gamma_ = gamma
        self.nystroem_ = Nystroem(
            kernel="rbf",
            gamma=gamma,
            n_components=min(self.n_components, X.shape[0]),
            random_state=self.random_state,
        ).fit(X)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "nystroem_")
        return np.asarray(self.nystroem_.transform(check_array(X, dtype=np.float64)))
