"""The promotion fairness gate as a pure rule (setting `promote.max_parity_gap`, off by default).

Promoting to Production is refused when the candidate's largest demographic parity difference
on its holdout exceeds the setting, unless forced.
"""

from __future__ import annotations

import math


def parity_refusal(
    label: str, gap: float, attribute: str | None, max_gap: float | None, *, force: bool
) -> str | None:
    """The one-line refusal, or None when the promotion may go ahead. A gap that could not
    be measured (no protected attribute with two groups in the holdout) is a refusal too:
    a gate that measured nothing has checked nothing."""
    if max_gap is None or force:
        return None
    if math.isnan(gap):
        return (
            f"refused: the parity gate cannot measure {label}: no protected attribute has two "
            "groups with rows in its holdout; check the bands or groups of the description's "
            "[protected.*] attributes (credit fairness shows them), or use --force"
        )
    if gap <= max_gap:
        return None
    where = f" ({attribute})" if attribute else ""
    return (
        f"refused: {label} has a demographic parity difference of {gap:.4f}{where} on its "
        f"holdout, above promote.max_parity_gap {max_gap:g}; use --force to promote anyway"
    )
