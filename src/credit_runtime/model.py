"""The whole decision of a logged credit model: P(bad), accept/reject, score and reasons.

`CreditModel.predict(frame, params={"reasons": K})` is the contract of `credit_runtime`
(see the package docstring). Everything it needs comes with the model: the fitted estimator
(its threshold inside, scikit-learn's FixedThresholdClassifier), the data description, the
points scale, the explanation background and the model's kind.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from credit_runtime.errors import InvalidInput

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from credit_runtime.description import Description
    from credit_runtime.explain.attribution import Explainer

DEFAULT_REASONS = 4
P_FLOOR = 1e-15  # P(bad) of exactly 0 or 1 would put the score at infinity


@dataclass(frozen=True)
class Scale:
    """The points scale: base_score at base_odds good:bad, +pdo points per doubling."""

    pdo: float = 20.0
    base_score: float = 600.0
    base_odds: float = 50.0

    def __post_init__(self) -> None:
        """Finite numbers, pdo and base_odds above 0, and a finite score for every P(bad)
        (TypeError or ValueError naming the field otherwise: a scale read back from a
        model's files is input, and NaN, 0 or a negative would score nonsense)."""
        for name in ("pdo", "base_score", "base_odds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"scale '{name}' is {value!r}, not a number")
            if not _finite(value):
                raise ValueError(f"scale '{name}' is {repr(value)[:40]}, not a finite number")
        for name in ("pdo", "base_odds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"scale '{name}' is {getattr(self, name)!r}, not above 0")
        factor = self.pdo / math.log(2.0)
        offset = self.base_score - factor * math.log(self.base_odds)
        widest = factor * math.log((1.0 - P_FLOOR) / P_FLOOR)
        if not (math.isfinite(offset + widest) and math.isfinite(offset - widest)):
            raise ValueError("scale gives scores beyond any number: pdo or base_score too large")

    def points(self, p_bad: np.ndarray) -> np.ndarray:
        import numpy as np

        factor = self.pdo / math.log(2.0)
        offset = self.base_score - factor * math.log(self.base_odds)
        p = np.clip(np.asarray(p_bad, dtype=float), P_FLOOR, 1.0 - P_FLOOR)
        return np.asarray(offset + factor * np.log((1.0 - p) / p), dtype=float)


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # a whole number beyond any float
        return False


@dataclass(frozen=True)
class Decided:
    """The whole decision of a batch: per applicant P(bad), reject or not, the score, and
    for each rank 1..K the reasons (None where fewer columns pushed towards rejection)."""

    p_bad: np.ndarray
    reject: np.ndarray  # bool
    score: np.ndarray
    reasons: list[list[str | None]]
    checked: pd.DataFrame | None = None  # the applicants as decided on (after the check)


class CreditModel:
    """A fitted credit model with everything it needs to decide and explain."""

    def __init__(
        self,
        estimator: Any,
        *,
        description: Description | None = None,
        key: str | None = None,
        threshold: float | None = None,
        scale: Scale | None = None,
        reasons: int = DEFAULT_REASONS,
        background: pd.DataFrame | None = None,
        columns: list[str] | None = None,
    ) -> None:
        self.estimator = estimator
        self.description = description
        self.key = key
        self.threshold = _threshold(estimator, threshold)
        self.scale = scale or Scale()
        self.default_reasons = reasons
        self.background = background
        self.columns = description.names if description is not None else list(columns or [])
        from credit_runtime.fast_scoring import CheckedProba

        self._proba = CheckedProba(estimator)  # bit for bit the estimator's own P(bad)
        self._explainer: Explainer | None = None
        self._lock = threading.Lock()
        self._warned = False

    def predict(self, frame: pd.DataFrame, params: Mapping[str, Any] | None = None) -> Any:
        """One row per applicant: p_bad, decision, score, reason_1..reason_K."""
        import numpy as np
        import pandas as pd

        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(frame)
        decided = self.decide(frame, params)
        out: dict[str, Any] = {
            "p_bad": decided.p_bad,
            "decision": np.where(decided.reject, "reject", "accept"),
            "score": decided.score,
        }
        for i, column in enumerate(decided.reasons, start=1):
            out[f"reason_{i}"] = np.array(column, dtype=object)
        return pd.DataFrame(out, index=frame.index)

    def decide(self, frame: pd.DataFrame, params: Mapping[str, Any] | None = None) -> Decided:
        """`predict`'s figures as plain arrays (what a server answers without a frame)."""
        from credit_runtime.memo import reusing

        k = self.reason_count(params)
        X = self._checked(frame, k)
        with reusing():  # X binned or transformed once for P(bad), the score and the reasons
            return self._decide(X, k)

    def _decide(self, X: pd.DataFrame, k: int) -> Decided:
        import numpy as np

        if len(X):
            p_bad = np.asarray(self._proba(X), dtype=float)
            score = np.asarray(self.score(X, p_bad), dtype=float)
        else:  # no applicants: no estimator call (some refuse zero rows)
            p_bad = score = np.empty(0, dtype=float)
        reasons = self.reason_words(X, k) if k and len(X) else [[] for _ in range(k)]
        return Decided(p_bad, p_bad >= self.threshold, score, reasons, X)

    def reason_count(self, params: Mapping[str, Any] | None) -> int:
        value = (params or {}).get("reasons", self.default_reasons)
        if value is None:
            value = self.default_reasons
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise InvalidInput(f"parameter 'reasons' must be a whole number (got {value!r})")
        k = int(value)
        most = len(self.columns) or k
        if not 0 <= k <= most:
            raise InvalidInput(
                f"parameter 'reasons' must be between 0 and {most}, the number of columns "
                f"(got {k}); 0 gives no reasons"
            )
        if k and (self.description is None or self.key is None):
            self._warn_once("it cannot give reasons")
            return 0
        return k

    def score(self, X: pd.DataFrame, p_bad: np.ndarray) -> np.ndarray:
        """A scorecard's own points; every other model's P(bad) on the same points scale."""
        from credit_runtime.scorecard_table import find_scorecard

        card = find_scorecard(self.estimator)
        if card is not None:
            return card.credit_score(X)
        return self.scale.points(p_bad)

    def reason_words(self, X: pd.DataFrame, k: int) -> list[list[str | None]]:
        """Per rank 1..k, each applicant's reason in the data description's words."""
        from credit_runtime.explain.reasons import ranked

        attribution = self.explainer().explain(X)
        label = self.description.describe if self.description is not None else None
        return ranked(attribution, X, k, label=label)[0]

    def explainer(self) -> Explainer:
        """Built on first use (the exact explainers import shap or copy a booster)."""
        with self._lock:
            if self._explainer is None:
                from credit_runtime.explain.attribution import factory_for

                factory = factory_for(self.estimator, self.key, self.columns)
                self._explainer = factory(self.estimator, self.columns, self.background)
            return self._explainer

    def _checked(self, frame: pd.DataFrame, k: int) -> pd.DataFrame:
        if self.description is not None:
            return self.description.validate(frame)
        self._warn_once("it cannot check its input")
        return frame[self.columns] if self.columns else frame

    def _warn_once(self, what: str) -> None:
        if not self._warned:
            self._warned = True
            warnings.warn(
                f"this model carries no data description (trained before descriptions were "
                f"stored with models): {what}; retrain it to get both",
                UserWarning,
                stacklevel=3,
            )


def _threshold(estimator: Any, given: float | None) -> float:
    """The threshold the model carries (FixedThresholdClassifier), else `given`, else 0.5."""
    own = getattr(estimator, "threshold", None)
    if type(estimator).__name__ == "FixedThresholdClassifier" and own not in (None, "auto"):
        return float(own)
    return 0.5 if given is None else float(given)
