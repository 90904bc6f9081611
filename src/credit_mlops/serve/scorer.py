"""Loading a model and deciding with it: the one place that knows how a model scores.

Everything else in serve/ sees a `Scorer` (features in, one row per applicant out: p_bad,
decision, score, reason_1..K) and `InvalidApplicants` for input the model refuses. Today
the model is loaded with the scikit-learn flavour and the decision, score and reasons are
assembled here the way `credit predict` assembles them; once the logged model carries the
whole decision in its pyfunc flavour, `load_scorer` becomes a call to it.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from credit_mlops.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from credit_mlops.config.scorecard import ScorecardSettings
    from credit_mlops.lifecycle.resolve import ModelRef
    from credit_mlops.tracking.records import RunRecord
    from credit_mlops.tracking.store import TrackingStore


class InvalidApplicants(DataError):
    """Applicants the model refuses; the message names the applicant and the column."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Scorer:
    """One loaded model: `decide(features, k)` -> p_bad, decision, score, reason_1..k."""

    threshold: float
    costs: tuple[float, float]  # accept_bad, reject_good
    description_digest: str
    decide: Callable[[pd.DataFrame, int], pd.DataFrame]


def schema_digest() -> str:
    """A digest of the columns, codes and ranges the model is fed (the data description)."""
    from dataclasses import asdict

    from credit_mlops.data.schema import COLUMNS

    text = json.dumps([asdict(c) for c in COLUMNS], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def validate(frame: pd.DataFrame) -> pd.DataFrame:
    """The applicants as int64 codes in the schema's column order, or InvalidApplicants
    naming the applicant (numbered from 0 in the request) and the column."""
    from credit_mlops.data.checks import validate_frame
    from credit_mlops.data.files import to_german
    from credit_mlops.data.schema import FEATURES, TARGET

    frame = to_german(frame)
    if TARGET in frame.columns:
        raise InvalidApplicants(f"request: column '{TARGET}' is the outcome; do not send it")
    try:
        validate_frame(frame, source="request", features_only=True, where=("applicant", 0))
    except DataError as exc:
        raise InvalidApplicants(str(exc)) from None
    return frame[list(FEATURES)].astype("int64")


def odds_score(p_bad: Any, card: ScorecardSettings) -> Any:
    """Points on the scorecard scale from P(bad): base_score at base_odds good:bad, +pdo
    per doubling of the odds (for models that have no points table of their own)."""
    import numpy as np

    p = np.clip(np.asarray(p_bad, dtype=float), 1e-12, 1 - 1e-12)
    factor = card.pdo / math.log(2)
    return card.base_score + factor * (np.log((1 - p) / p) - math.log(card.base_odds))


def load_scorer(
    store: TrackingStore, ref: ModelRef, run: RunRecord, card: ScorecardSettings
) -> Scorer:
    """Load the model `ref` names (trained by `run`) and everything its decisions need."""
    import pandas as pd

    from credit_mlops.explain.reasons import reasons as reason_frame
    from credit_mlops.explain.service import model_explainer
    from credit_mlops.lifecycle.evaluate import costs_of, threshold_of
    from credit_mlops.lifecycle.fast_scoring import CheckedProba
    from credit_mlops.lifecycle.stream import decisions
    from credit_mlops.modeling.scorecard_table import credit_scores

    model = store.load_model(ref.uri)
    threshold, _ = threshold_of(run, model)
    explainer = model_explainer(store, run, model)  # loaded now: a failure is a load failure
    # P(bad) as `credit predict` computes it: the preprocessing in plain numpy once it gave
    # the model's own answer bit for bit (scikit-learn's per-call overhead is most of the
    # cost of one applicant)
    proba = CheckedProba(model)
    explaining = threading.Lock()  # the explainers are not known to be safe across threads

    def decide(features: pd.DataFrame, k: int) -> pd.DataFrame:
        codes = validate(features)
        p_bad = proba(codes)
        points = credit_scores(model, codes)
        out = pd.DataFrame(
            {
                "p_bad": p_bad,
                "decision": decisions(p_bad, threshold),
                "score": odds_score(p_bad, card) if points is None else points,
            }
        )
        if k > 0:
            with explaining:
                why = reason_frame(explainer.explain(codes), codes, k)
            out = out.join(why[[f"reason_{i}" for i in range(1, k + 1)]].set_axis(out.index))
        return out

    return Scorer(threshold, costs_of(run), schema_digest(), decide)
