"""Group metrics and disparities of a model's decisions, computed with fairlearn's MetricFrame.

The positive class is a bad credit and the model's positive decision is a rejection: the true
positive rate is the share of bad credits rejected, the false positive rate the share of good
credits rejected. Disparities are taken over the groups that can carry a verdict: at least
`min_group` rows and identifiable (famges code 2 is neither male nor female). The four-fifths
rule compares each group's acceptance rate with the most favoured group's (lowest reject rate).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from credit_mlops.fairness.groups import NOT_IDENTIFIABLE, Grouping, grouping
from credit_mlops.modeling.cost_matrix import CostMatrix

if TYPE_CHECKING:
    from credit_mlops.data.description import Description

FOUR_FIFTHS = 0.8
MIN_GROUP = 30


@dataclass(frozen=True)
class GroupRow:
    group: str
    count: int
    reject_rate: float
    tpr: float  # bad credits rejected
    fpr: float  # good credits rejected
    roc_auc: float  # nan when the group holds one class only
    expected_cost: float
    accept_ratio: float  # acceptance rate / the most favoured group's; nan without a verdict
    verdict: str  # "ok", "below 0.8" (four-fifths), or why there is no verdict


@dataclass(frozen=True)
class AttributeReport:
    attribute: str
    column: str
    groups: tuple[GroupRow, ...]
    parity_difference: float  # max - min reject rate over groups with a verdict
    parity_ratio: float  # min / max acceptance rate over groups with a verdict
    equalized_odds_difference: float
    most_favoured: str | None
    flagged: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class FairnessReport:
    rows: int
    threshold: float
    attributes: tuple[AttributeReport, ...]

    @property
    def max_parity_difference(self) -> float:
        gaps = [a.parity_difference for a in self.attributes if not math.isnan(a.parity_difference)]
        return max(gaps) if gaps else float("nan")

    def worst(self) -> AttributeReport | None:
        known = [a for a in self.attributes if not math.isnan(a.parity_difference)]
        return max(known, key=lambda a: a.parity_difference) if known else None


def fairness(
    X: pd.DataFrame,
    y_bad: np.ndarray,
    proba_bad: np.ndarray,
    threshold: float,
    *,
    attributes: Sequence[str],
    bands: Mapping[str, Sequence[float]],
    min_group: int = MIN_GROUP,
    four_fifths: float = FOUR_FIFTHS,
    costs: CostMatrix | None = None,
    description: Description | None = None,
) -> FairnessReport:
    y_true = np.asarray(y_bad, dtype=int)
    score = np.asarray(proba_bad, dtype=float)
    reject = (score >= threshold).astype(int)
    reports = tuple(
        _attribute(
            grouping(X, column, bands, description),
            y_true,
            reject,
            score,
            min_group,
            four_fifths,
            costs,
        )
        for column in attributes
    )
    return FairnessReport(rows=len(y_true), threshold=threshold, attributes=reports)


def _attribute(
    g: Grouping,
    y: np.ndarray,
    reject: np.ndarray,
    score: np.ndarray,
    min_group: int,
    four_fifths: float,
    costs: CostMatrix | None,
) -> AttributeReport:
    from fairlearn.metrics import MetricFrame, count, selection_rate

    cost = costs or CostMatrix()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # empty classes give nan below
        frame = MetricFrame(
            metrics={
                "count": count,
                "reject_rate": selection_rate,
                "tpr": _tpr,
                "fpr": _fpr,
                "roc_auc": _roc_auc,
                "expected_cost": lambda t, p: _cost(t, p, cost),
            },
            y_true=y,
            y_pred=reject,
            sensitive_features=g.labels.rename(g.attribute).to_numpy(),
            sample_params={"roc_auc": {"scores": score}},
        )
    table = frame.by_group
    present = [name for name in g.order if name in table.index]
    present += [name for name in table.index if name not in present]
    eligible = [
        n for n in present if n != NOT_IDENTIFIABLE and int(table.loc[n, "count"]) >= min_group
    ]
    disparity = _disparities(g, y, reject, eligible)
    comparable = len(eligible) >= 2
    best = min(eligible, key=lambda n: float(table.loc[n, "reject_rate"])) if comparable else None
    best_accept = 1.0 - float(table.loc[best, "reject_rate"]) if best else float("nan")
    rows, flagged = [], []
    for name in present:
        ratio, verdict = float("nan"), _no_verdict(name, int(table.loc[name, "count"]), min_group)
        if name in eligible and not comparable:
            verdict = "no verdict: no other group to compare"
        elif name in eligible:
            accept = 1.0 - float(table.loc[name, "reject_rate"])
            ratio = accept / best_accept if best_accept > 0 else float("nan")
            verdict = f"below {four_fifths:g}" if ratio < four_fifths else "ok"
            if verdict != "ok":
                flagged.append(name)
        rows.append(_row(name, table.loc[name], ratio, verdict))
    notes = _notes(g, present, eligible, table, min_group)
    return AttributeReport(
        g.attribute, g.column, tuple(rows), *disparity, best, tuple(flagged), notes
    )


def _disparities(
    g: Grouping, y: np.ndarray, reject: np.ndarray, eligible: list[str]
) -> tuple[float, float, float]:
    """Demographic parity difference and ratio (acceptance), equalized odds difference."""
    from fairlearn.metrics import (
        demographic_parity_difference,
        demographic_parity_ratio,
        equalized_odds_difference,
    )

    if len(eligible) < 2:
        return float("nan"), float("nan"), float("nan")
    keep = g.labels.isin(eligible).to_numpy()
    sf = g.labels.to_numpy()[keep]
    yk, rk = y[keep], reject[keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        return (
            float(demographic_parity_difference(yk, rk, sensitive_features=sf)),
            float(demographic_parity_ratio(yk, 1 - rk, sensitive_features=sf)),
            float(equalized_odds_difference(yk, rk, sensitive_features=sf)),
        )


def _row(name: str, values: pd.Series, ratio: float, verdict: str) -> GroupRow:
    return GroupRow(
        group=name,
        count=int(values["count"]),
        reject_rate=float(values["reject_rate"]),
        tpr=float(values["tpr"]),
        fpr=float(values["fpr"]),
        roc_auc=float(values["roc_auc"]),
        expected_cost=float(values["expected_cost"]),
        accept_ratio=ratio,
        verdict=verdict,
    )


def _no_verdict(name: str, n: int, min_group: int) -> str:
    if name == NOT_IDENTIFIABLE:
        return "no verdict: not identifiable"
    return f"no verdict: n < {min_group}"


def _notes(
    g: Grouping, present: list[str], eligible: list[str], table: pd.DataFrame, min_group: int
) -> tuple[str, ...]:
    notes = []
    small = [n for n in present if n != NOT_IDENTIFIABLE and n not in eligible]
    if small:
        sizes = ", ".join(f"{n} ({_count(table, n)})" for n in small)
        notes.append(f"warning: fewer than {min_group} rows, shown without a verdict: {sizes}")
    if NOT_IDENTIFIABLE in present:
        why = g.apart or f"some {g.column} codes identify no {g.attribute} group"
        notes.append(
            f"{why}: {_count(table, NOT_IDENTIFIABLE)} rows reported apart, in no disparity"
        )
    if len(eligible) < 2:
        notes.append("fewer than two groups with a verdict: no disparity figures")
    return tuple(notes)


def _count(table: pd.DataFrame, group: str) -> int:
    return int(np.asarray(table.loc[group, "count"]).item())


def _tpr(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    bad = np.asarray(y_true) == 1
    return float(np.asarray(y_pred)[bad].mean()) if bad.any() else float("nan")


def _fpr(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    good = np.asarray(y_true) == 0
    return float(np.asarray(y_pred)[good].mean()) if good.any() else float("nan")


def _roc_auc(y_true: np.ndarray, y_pred: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    if len(np.unique(y_true)) < 2:
        return float("nan")
    return float(roc_auc_score(y_true, scores))


def _cost(y_true: np.ndarray, y_pred: np.ndarray, cost: CostMatrix) -> float:
    return cost.cost(y_true, y_pred)
