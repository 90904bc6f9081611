"""`credit scorecard TARGET`: the points table of a logged scorecard model.

The table is rebuilt from the loaded model itself (its fitted binning and coefficients), so
it is the table of exactly the model that scores applicants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from credit_mlops.errors import InputError
from credit_mlops.lifecycle.resolve import resolve

if TYPE_CHECKING:
    from credit_mlops.modeling.scorecard_report import ScorecardReport
    from credit_mlops.tracking.store import TrackingStore


def scorecard(store: TrackingStore, target: str) -> ScorecardReport:
    """Resolve TARGET, load its model and give its scorecard; a non-scorecard is refused."""
    from credit_mlops.modeling.scorecard_report import report_of
    from credit_mlops.modeling.scorecard_table import find_scorecard

    ref = resolve(store, target)
    card = find_scorecard(store.load_model(ref.uri))
    if card is None:
        raise InputError(
            f"{ref.label} is not a scorecard model; train one with `credit train --model scorecard`"
        )
    return report_of(card, model=ref.label, uri=ref.uri)
