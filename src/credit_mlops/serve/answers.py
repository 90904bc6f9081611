"""What a decision request answers per applicant, and the rows it journals: the values the
model decided on, under the served description's own column names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credit_mlops.serve.follow import Served
    from credit_runtime.model import Decided


def journal_rows(
    request_id: str, served: Served, records: list[dict[str, Any]], out: Decided
) -> list[dict[str, Any]]:
    aliases = served.scorer.aliases
    now = datetime.now(UTC).isoformat()
    ref = served.ref
    head = {"time": now, "request_id": request_id}
    model = {"model": ref.name, "version": ref.version, "run_id": ref.run_id}
    rows = []
    for i, (applicant, p_bad, reject, score) in enumerate(
        zip(
            as_decided(records, out),
            out.p_bad.tolist(),
            out.reject.tolist(),
            out.score.tolist(),
            strict=True,
        )
    ):
        features = {aliases.get(k, k): v for k, v in applicant.items()}
        rows.append(
            {
                **head,
                "row": i,
                **model,
                **features,
                "p_bad": p_bad,
                "decision": OUTCOME[reject],
                "score": score,
            }
        )
    return rows


OUTCOME = {False: "accept", True: "reject"}


def as_decided(records: list[dict[str, Any]], out: Decided) -> list[dict[str, Any]]:
    """The applicants as the model decided on them: as sent when every value is a number or
    null (the usual request), else the checked values (a number sent as text, " 1049 ",
    is journaled as the 1049 the model read), so the journal holds what was decided on."""
    import math

    if out.checked is None or all(type(v) is not str for row in records for v in row.values()):
        return records
    return [
        {str(k): None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in out.checked.to_dict("records")
    ]


def finite(out: Decided) -> bool:
    """Whether every P(bad) and score is a finite number (strict JSON can hold it)."""
    import numpy as np

    return bool(np.isfinite(out.p_bad).all() and np.isfinite(out.score).all())


def answers(out: Decided) -> list[dict[str, Any]]:
    answers = []
    for j, (p_bad, reject, score) in enumerate(
        zip(out.p_bad.tolist(), out.reject.tolist(), out.score.tolist(), strict=True)
    ):
        why = [c[j] for c in out.reasons if isinstance(c[j], str) and c[j]]
        answers.append(
            {"p_bad": p_bad, "decision": OUTCOME[reject], "score": score, "reasons": why}
        )
    return answers
