"""Loading a model and deciding with it: the one place that knows how a model scores.

Everything else in serve/ sees a `Scorer` (features in, one row per applicant out: p_bad,
decision, score, reason_1..K) and `InvalidApplicants` for input the model refuses. The
model is the logged model's own whole decision (`credit_runtime`'s `CreditModel`, what
`mlflow.pyfunc.load_model(uri).predict(df, params={"reasons": K})` answers), loaded
through the tracking facade, which checks it before any of it runs.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from credit_mlops.errors import DataError, some

log = logging.getLogger("credit.serve")

if TYPE_CHECKING:
    import pandas as pd

    from credit_mlops.lifecycle.resolve import ModelRef
    from credit_mlops.tracking.records import RunRecord
    from credit_mlops.tracking.store import TrackingStore
    from credit_runtime.model import Decided


class InvalidApplicants(DataError):
    """Applicants the model refuses; the message names the applicant and the column."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Scorer:
    """One loaded model: `decide(features, k)` -> p_bad, reject, score, reasons by rank."""

    threshold: float
    costs: tuple[float, float]  # accept_bad, reject_good
    description_digest: str
    # decide(features, k, wait): None when wait is False and another request is explaining
    decide: Callable[[pd.DataFrame, int, bool], Decided | None]
    quick: bool  # one applicant's decision with reasons takes a few milliseconds at most
    # the model's data description's other accepted names -> its column names (the journal
    # records columns by their names, whatever a client sent)
    aliases: Mapping[str, str] = field(default_factory=dict)
    known: frozenset[str] = frozenset()  # every column name the model accepts (and aliases)
    most_reasons: int = 20  # a reason is one of the model's columns: no more than them


def description_digest(description: object) -> str:
    """A digest of the data description the model checks its input against."""
    if description is None:
        return "none"
    return hashlib.sha256(repr(description).encode()).hexdigest()[:16]


def known_columns(description: Any) -> set[str] | None:
    """Every name the model's description accepts (names and aliases); None without one."""
    if description is None:
        return None
    return {n for c in description.columns for n in (c.name, *c.aliases)}


def load_scorer(store: TrackingStore, ref: ModelRef, run: RunRecord) -> Scorer:
    """Load the model `ref` names (trained by `run`) with everything its decisions need."""
    from credit_mlops.lifecycle.evaluate import costs_of
    from credit_runtime.errors import InvalidInput
    from credit_runtime.frames import names

    model = store.load_decision_model(ref.uri)
    if model.description is None or model.key is None:
        raise DataError(
            f"{ref.label} carries no credit decision (no data description or model key logged "
            "beside it): it was not logged by credit train, or by a credit too old to serve "
            "it; retrain it with credit train"
        )
    model.explainer()  # built now: a model that cannot explain fails to load, not later
    known = known_columns(model.description) or set()
    explaining = threading.Lock()  # the explainers are not known to be safe across threads

    def decide(features: pd.DataFrame, k: int, wait: bool = True) -> Decided | None:
        unknown = [str(c) for c in names(features) if c not in known]
        if unknown:
            raise InvalidApplicants(
                f"unknown column(s) {some(unknown)}; send the data description's columns only",
                unknown[0],
            )
        try:
            if k == 0:
                return model.decide(features, {"reasons": 0})
            if not explaining.acquire(blocking=wait):
                return None  # another request is explaining: the caller does not wait here
            try:
                return model.decide(features, {"reasons": k})
            finally:
                explaining.release()
        except InvalidInput as exc:
            raise InvalidApplicants(exc.message, exc.column) from None

    seconds = warm(model)
    matrix = costs_of(run)
    costs = (matrix.accept_bad, matrix.reject_good)
    quick = seconds is not None and seconds <= QUICK_SECONDS
    return Scorer(
        model.threshold,
        costs,
        description_digest(model.description),
        decide,
        quick,
        aliases=aliases_of(model.description),
        known=frozenset(known),
        most_reasons=len(model.columns) or 20,
    )


def aliases_of(description: Any) -> dict[str, str]:
    """Each accepted other name of a described column -> the column's name."""
    if description is None:
        return {}
    return {alias: c.name for c in description.columns for alias in c.aliases}


QUICK_SECONDS = 0.005  # one applicant's decision with reasons, at most, to be quick


def warm(model: Any) -> float | None:
    """Decide one applicant of the model's background sample twice, so that whatever a model
    builds on first use (its checked fast paths, lookups, explainer) is built now, before
    any request waits for it; the seconds the second decision took (with the model's default
    reasons), or None when there is no sample to decide or the decision fails."""
    import time

    background = model.background
    if background is None or not len(background) or model.description is None:
        return None
    applicant = background.head(1)
    try:
        model.decide(applicant, None)
        start = time.perf_counter()
        model.decide(applicant, None)
        return time.perf_counter() - start
    except Exception as exc:  # the model then serves as it is, from the thread pool
        log.warning("could not time the model on its background sample: %s", exc)
        return None
