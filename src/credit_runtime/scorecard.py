"""The WoE scorecard: optbinning's optimal binning, logistic regression, points.

Each characteristic (raw column) is binned by optbinning's `BinningProcess`: optimal
binning under a minimum bin share; for an ordered characteristic the bad rate follows a
trend optbinning detects from the data ("auto": ascending or descending where the data
supports it, a peak or valley where that carries clearly more information), settable per
characteristic; rare codes of a nominal one are scored as neutral. Every bin is replaced
by its weight of evidence (WoE) and a logistic regression (C chosen by inner
cross-validation) is fitted on the WoE columns. The points follow the industry's scaling,
the same as optbinning's `Scorecard` with `scaling_method="pdo_odds"`:
score = offset + factor * ln(good:bad odds), factor = PDO / ln 2, offset = base_score -
factor * ln(base_odds). A characteristic's points are -(coef * WoE + intercept / n) *
factor + offset / n, so an applicant's points add up to the score exactly and the score
and P(bad) are one and the same ranking.

optbinning's own `Scorecard` keeps its table as a pandas DataFrame, which skops (MLflow's
default model format) cannot store; the learned state here is the fitted `BinningProcess`
and `LogisticRegressionCV` (both skops-safe) plus two floats, and the table is rebuilt
from them on demand (`modeling/scorecard_table.py`).

The positive class is a bad credit (1); optbinning's WoE is ln(share of goods / share of
bads) in a bin, so a positive WoE and more points mean a safer applicant.
"""

from __future__ import annotations

import contextlib
import functools
import math
import warnings
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from credit_runtime import memo

if TYPE_CHECKING:
    from credit_runtime.woe_lookup import WoeLookup

# optbinning's monotonic_trend values; "none" lifts the constraint.
TRENDS = (
    "auto",
    "auto_asc_desc",
    "auto_heuristic",
    "ascending",
    "descending",
    "convex",
    "concave",
    "peak",
    "valley",
    "peak_heuristic",
    "valley_heuristic",
    "none",
)


@contextlib.contextmanager
def quiet_optbinning() -> Iterator[None]:
    """optbinning 1.0 trips pandas 3's deprecation notes (not the user's concern)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"optbinning(\..*)?")
        yield


def scaling(pdo: float, base_score: float, base_odds: float) -> tuple[float, float]:
    """(factor, offset) of the points scale: base_score at base_odds good:bad, +pdo per doubling."""
    if pdo <= 0 or base_odds <= 0:
        raise ValueError(f"pdo and base_odds must be positive (got {pdo}, {base_odds})")
    factor = pdo / math.log(2.0)
    return factor, base_score - factor * math.log(base_odds)


class ScorecardClassifier(ClassifierMixin, BaseEstimator):
    """A WoE scorecard on raw columns: `predict_proba` gives P(bad), `credit_score` the points.

    Parameters are the settings of the `scorecard` section; nominal columns are listed in
    `categorical`, every other column is an ordered characteristic.
    """

    def __init__(
        self,
        categorical: Sequence[str] = (),
        monotonic_trend: str = "auto",
        trends: Mapping[str, str] | None = None,
        min_bin_share: float = 0.05,
        max_n_bins: int | None = None,
        rare_code_share: float = 0.02,
        c_grid: Sequence[float] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
        inner_folds: int = 5,
        pdo: float = 20.0,
        base_score: float = 600.0,
        base_odds: float = 50.0,
        random_state: int = 0,
    ) -> None:
        self.categorical = categorical
        self.monotonic_trend = monotonic_trend
        self.trends = trends
        self.min_bin_share = min_bin_share
        self.max_n_bins = max_n_bins
        self.rare_code_share = rare_code_share
        self.c_grid = c_grid
        self.inner_folds = inner_folds
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # good/bad only
        tags.input_tags.allow_nan = True  # missing values get optbinning's Missing bin
        return tags

    def _frame(self, X: Any, y: Any = None, *, fitting: bool) -> tuple[pd.DataFrame, Any]:
        """(X as a frame, y) after scikit-learn's input checks; columns are taken by name."""
        from sklearn.utils.validation import validate_data

        if isinstance(X, pd.DataFrame) and not all(isinstance(c, str) for c in X.columns):
            X = X.set_axis([str(c) for c in X.columns], axis=1)  # characteristics by name
        if not fitting:
            check_is_fitted(self, "estimator_")
            if isinstance(X, pd.DataFrame):
                missing = [c for c in self.feature_names_ if c not in X.columns]
                if missing:
                    raise ValueError(f"missing characteristic(s): {', '.join(missing)}")
                X = X[self.feature_names_]
        # A frame keeps its column types (codes may be categories); an array must be numbers.
        dtype = None if isinstance(X, pd.DataFrame) else "numeric"
        # Missing values are allowed: optbinning gives them a bin of their own (a description
        # says which columns may have them; validation refused the others already).
        checks = {"dtype": dtype, "ensure_all_finite": "allow-nan", "accept_sparse": False}
        if fitting:
            values, y = validate_data(self, X, y, reset=True, **checks)
        else:
            values = validate_data(self, X, reset=False, **checks)
        if isinstance(X, pd.DataFrame):
            return _plain_text(X), y
        names = [f"x{i}" for i in range(values.shape[1])] if fitting else list(self.feature_names_)
        return pd.DataFrame(values, columns=names), y

    def _target(self, y: Any) -> np.ndarray:
        from sklearn.utils.multiclass import type_of_target

        target = np.asarray(y)
        kind = type_of_target(target, input_name="y", raise_unknown=True)
        if kind != "binary":
            raise ValueError(
                f"Unknown label type: {kind}. Only binary classification is supported: a "
                "scorecard needs a binary target (1 = bad, 0 = good)"
            )
        if len(np.unique(target)) < 2:
            raise ValueError("a scorecard needs both classes (good and bad); got one class")
        return target

    def _rare_codes(self, frame: pd.DataFrame) -> dict[str, list[Any]]:
        """Per nominal characteristic, the codes rarer than `rare_code_share` of the rows."""
        out: dict[str, list[Any]] = {}
        for name in frame.columns:
            if name in self.categorical:
                share = frame[name].value_counts(normalize=True, sort=False)
                out[str(name)] = sorted(share.index[share < self.rare_code_share].tolist())
        return out

    def _fit_params(self, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        trends = dict(self.trends or {})
        unknown = sorted(set(trends) - set(names))
        if unknown:
            raise ValueError(f"trends name unknown characteristic(s): {', '.join(unknown)}")
        for name, trend in [*trends.items(), ("*", self.monotonic_trend)]:
            if trend not in TRENDS:
                raise ValueError(f"monotonic trend {trend!r} for {name} is not one of {TRENDS}")
        params: dict[str, dict[str, Any]] = {}
        for name in names:
            if name in self.categorical:
                # Rare codes are too few to estimate a WoE: optbinning's "special" bin, which
                # transforms to WoE 0 (neutral points), the same as a code never seen.
                rare = self.rare_codes_.get(name, [])
                params[name] = {"cat_unknown": 0.0} | ({"special_codes": rare} if rare else {})
                if name in trends:
                    params[name]["monotonic_trend"] = (
                        None if trends[name] == "none" else trends[name]
                    )
            else:
                trend = trends.get(name, self.monotonic_trend)
                params[name] = {"monotonic_trend": None if trend == "none" else trend}
        return params

    def fit(self, X: Any, y: Any) -> ScorecardClassifier:
        from optbinning import BinningProcess
        from sklearn.linear_model import LogisticRegressionCV
        from sklearn.model_selection import StratifiedKFold

        frame, y = self._frame(X, y, fitting=True)  # sets n_features_in_, feature_names_in_
        target = self._target(y)
        self.classes_ = np.unique(target)
        names = [str(c) for c in frame.columns]
        self.feature_names_ = names
        self.rare_codes_ = self._rare_codes(frame)
        event = (target == self.classes_[1]).astype(int)
        self.binning_process_ = BinningProcess(
            variable_names=names,
            categorical_variables=[c for c in names if c in self.categorical],
            min_bin_size=self.min_bin_share or None,
            max_n_bins=self.max_n_bins,
            binning_fit_params=self._fit_params(names),
        )
        with quiet_optbinning():
            woe = self.binning_process_.fit_transform(frame, event)
        _plain_categories(self.binning_process_)
        inner = StratifiedKFold(self.inner_folds, shuffle=True, random_state=self.random_state)
        self.estimator_ = LogisticRegressionCV(
            Cs=list(self.c_grid),
            cv=inner,
            scoring="neg_log_loss",
            l1_ratios=(0.0,),  # plain L2, the explicit form scikit-learn 1.10 asks for
            use_legacy_attributes=False,
            tol=1e-8,  # 20 columns: a tight optimum costs nothing and is solver-independent
            max_iter=1000,
        ).fit(woe.to_numpy(dtype=float), event)
        self.factor_, self.offset_ = scaling(self.pdo, self.base_score, self.base_odds)
        return self

    def woe(self, X: Any) -> pd.DataFrame:
        """The WoE of each applicant's bin, per characteristic (unseen codes get 0).

        A frame of plain numbers goes through lookups that equal the binning process's own
        transform to the last bit (`credit_runtime.woe_lookup`); anything else, and a
        process whose lookups could not be checked, through the transform itself. Inside
        `reusing()`, one frame's WoE is computed once."""
        return _reused(self, X, "woe", self._woe)

    def _woe(self, X: Any) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame) and X.columns.is_unique:
            lookup = _lookup(self)
            from credit_runtime.frames import column_arrays, names

            if lookup is not None and set(self.feature_names_) <= set(names(X)):
                values = lookup.transform(column_arrays(X, self.feature_names_))
                if values is not None:
                    return pd.DataFrame(values, columns=_index(self.feature_names_), index=X.index)
        return self._own_woe(X)

    def _own_woe(self, X: Any) -> pd.DataFrame:
        frame, _ = self._frame(X, fitting=False)
        with quiet_optbinning():
            out = self.binning_process_.transform(frame)
        return pd.DataFrame(
            out.to_numpy(dtype=float), columns=self.feature_names_, index=frame.index
        )

    def decision_function(self, X: Any) -> np.ndarray:
        """The log-odds of a bad credit."""
        woe = self.woe(X).to_numpy()  # checks the model is fitted
        return np.asarray(self.estimator_.decision_function(woe), dtype=float)

    def predict_proba(self, X: Any) -> np.ndarray:
        woe = self.woe(X).to_numpy()
        return np.asarray(self.estimator_.predict_proba(woe), dtype=float)

    def predict(self, X: Any) -> np.ndarray:
        positive = self.decision_function(X) > 0  # checks the model is fitted first
        return np.asarray(self.classes_[positive.astype(int)])

    def points(self, X: Any) -> pd.DataFrame:
        """Each applicant's points per characteristic; a row sums to its `credit_score`."""
        return _reused(self, X, "points", self._points)

    def _points(self, X: Any) -> pd.DataFrame:
        woe = self.woe(X)
        coef = self.estimator_.coef_.ravel()
        intercept = float(self.estimator_.intercept_[0])
        n = len(self.feature_names_)
        values = -(woe.to_numpy() * coef + intercept / n) * self.factor_ + self.offset_ / n
        return pd.DataFrame(values, columns=_index(self.feature_names_), index=woe.index)

    def credit_score(self, X: Any) -> np.ndarray:
        """The score: higher is safer; base_score at base_odds good:bad, +pdo per doubling.

        The points of a row summed as pandas' `sum(axis=1)` sums them (`row_sums`)."""
        return row_sums(self.points(X))

    def bin_points(self, characteristic: str, woe: np.ndarray) -> np.ndarray:
        """The points of bins of one characteristic, from their WoE."""
        i = self.feature_names_.index(characteristic)
        coef = float(self.estimator_.coef_.ravel()[i])
        intercept = float(self.estimator_.intercept_[0])
        n = len(self.feature_names_)
        return np.asarray(-(woe * coef + intercept / n) * self.factor_ + self.offset_ / n)


@functools.lru_cache(maxsize=64)
def _names_index(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(list(names))


def _index(names: Sequence[str]) -> pd.Index:
    """The characteristics as a column index, built once per scorecard's names (an index is
    immutable; building one from a list of strings costs more than a decision's arithmetic)."""
    return _names_index(tuple(names))


def row_sums(points: pd.DataFrame) -> np.ndarray:
    """Each row's sum, as pandas' `sum(axis=1)` gives it to the last bit: numpy's own sum
    over the frame's array when it holds no missing value (what pandas computes then),
    pandas itself otherwise; without pandas' per-call cost in the usual case."""
    values = points.to_numpy()
    if values.dtype == np.float64 and not np.isnan(values).any():
        return np.asarray(values.sum(axis=1), dtype=float)
    return np.asarray(points.sum(axis=1).to_numpy(), dtype=float)


reusing = memo.reusing  # where callers found it first


def _reused(card: ScorecardClassifier, X: Any, what: str, compute: Any) -> pd.DataFrame:
    frame: pd.DataFrame = memo.reused(card, X, what, compute)
    return frame


_LOOKUPS: weakref.WeakKeyDictionary[ScorecardClassifier, tuple[Any, WoeLookup | None]] = (
    weakref.WeakKeyDictionary()
)  # per fitted scorecard, kept beside it (never in its state, so never in a saved model)


def _lookup(card: ScorecardClassifier) -> WoeLookup | None:
    """The scorecard's checked WoE lookups (None before fit, or where they cannot be used),
    built on first use and again after a new fit."""
    from credit_runtime.woe_lookup import WoeLookup

    process = getattr(card, "binning_process_", None)
    if process is None:
        return None
    known = _LOOKUPS.get(card)
    if known is not None and known[0] is process:
        return known[1]
    try:
        with quiet_optbinning():
            lookup = WoeLookup.of(process, card.feature_names_, card._own_woe)
    except Exception:  # any surprise in the probes: optbinning's own transform, as before
        lookup = None
    _LOOKUPS[card] = (process, lookup)
    return lookup


def _plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain object arrays (see `_plain_categories`)."""
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c].dtype)]
    if not text:
        return frame
    return frame.astype(dict.fromkeys(text, object))


def _plain_categories(process: Any) -> None:
    """Text categories kept by optbinning as pandas string arrays become object arrays: skops
    stores pandas' Arrow-backed arrays in a form whose loading crashes the interpreter."""
    for binned in getattr(process, "_binned_variables", {}).values():
        for holder in (binned, getattr(binned, "_binning_table", None)):
            if holder is None:
                continue
            for name, value in list(vars(holder).items()):
                vars(holder)[name] = _plain(value)


def _plain(value: Any) -> Any:
    arrays = pd.api.extensions.ExtensionArray
    if isinstance(value, arrays) and pd.api.types.is_string_dtype(value.dtype):
        return np.asarray(value, dtype=object)
    if isinstance(value, list) and any(isinstance(v, arrays) for v in value):
        return [_plain(v) for v in value]
    return value
