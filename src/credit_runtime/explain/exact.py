"""Exact attributions: TreeSHAP for tree models, the closed form for logistic regression.

XGBoost computes TreeSHAP itself (`pred_contribs`), which is faster than shap and needs no
shap import; scikit-learn's trees and forests go through shap's `TreeExplainer` (path
dependent: the trees' own cover statistics, no background needed). Contributions of the
transformed features are summed back to their original column.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from credit_runtime.explain.anatomy import anatomy
from credit_runtime.explain.attribution import Attribution, need_background


class XGBoostExplainer:
    method = "exact TreeSHAP (XGBoost pred_contribs), log-odds"
    needs_background = False

    def __init__(self, model: Any, columns: Sequence[str], background: pd.DataFrame | None):
        self.anatomy = anatomy(model, columns)
        # the training run keeps XGBoost single-threaded (folds run side by side); explaining a
        # batch is one call, so a copy of the booster may use every core
        self.booster = self.anatomy.estimator.get_booster().copy()
        self.booster.set_param({"nthread": os.cpu_count() or 1})
        self.grouping = self.anatomy.grouping()

    def explain(self, X: pd.DataFrame) -> Attribution:
        import xgboost

        Xt = self.anatomy.transform(self.anatomy.inputs(X))
        matrix = xgboost.DMatrix(Xt, feature_names=self.booster.feature_names)
        contribs = np.asarray(self.booster.predict(matrix, pred_contribs=True), dtype=float)
        return Attribution(
            values=contribs[:, :-1] @ self.grouping,
            base=contribs[:, -1],
            columns=self.anatomy.columns,
            space="log-odds",
            method=self.method,
            exact=True,
        )


class TreeExplainer:
    method = "exact TreeSHAP (shap TreeExplainer), probability"
    needs_background = False  # path-dependent: the trees' own cover statistics

    def __init__(self, model: Any, columns: Sequence[str], background: pd.DataFrame | None):
        with warnings.catch_warnings():  # shap's import-time deprecation notices of matplotlib
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            import shap

        self.anatomy = anatomy(model, columns)
        self.grouping = self.anatomy.grouping()
        self.tree = shap.TreeExplainer(self.anatomy.estimator)
        self.bad = list(self.anatomy.estimator.classes_).index(1)

    def explain(self, X: pd.DataFrame) -> Attribution:
        Xt = self.anatomy.transform(self.anatomy.inputs(X))
        values = np.asarray(self.tree.shap_values(Xt, check_additivity=False), dtype=float)
        if values.ndim == 3:  # (rows, features, classes)
            values = values[:, :, self.bad]
        expected = np.atleast_1d(np.asarray(self.tree.expected_value, dtype=float))
        base = expected[self.bad] if expected.size > 1 else expected[0]
        return Attribution(
            values=values @ self.grouping,
            base=np.full(len(Xt), float(base)),
            columns=self.anatomy.columns,
            space="probability",
            method=self.method,
            exact=True,
        )


class LinearExplainer:
    """phi_j = w_j (x_j - mean_j): exact Shapley values of a linear log-odds with independent
    features, the mean taken over the stored background sample of the training part."""

    method = "exact linear closed form, log-odds"
    needs_background = True

    def __init__(self, model: Any, columns: Sequence[str], background: pd.DataFrame | None):
        self.anatomy = anatomy(model, columns)
        self.grouping = self.anatomy.grouping()
        est = self.anatomy.estimator
        sign = 1.0 if list(est.classes_).index(1) == 1 else -1.0
        self.weights = sign * np.asarray(est.coef_, dtype=float).ravel()
        self.intercept = sign * float(np.asarray(est.intercept_).ravel()[0])
        reference = need_background(background, "explaining a logistic regression")
        self.mean = self.anatomy.transform(reference[list(columns)]).mean(axis=0)

    def explain(self, X: pd.DataFrame) -> Attribution:
        Xt = self.anatomy.transform(self.anatomy.inputs(X))
        base = float(self.mean @ self.weights + self.intercept)
        return Attribution(
            values=((Xt - self.mean) * self.weights) @ self.grouping,
            base=np.full(len(Xt), base),
            columns=self.anatomy.columns,
            space="log-odds",
            method=self.method,
            exact=True,
        )
