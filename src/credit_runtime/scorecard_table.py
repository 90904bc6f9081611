"""The scorecard as a table, information values, and points below each maximum.

Everything here reads a fitted `ScorecardClassifier` (or a model wrapping one: a pipeline,
a threshold classifier, a single calibrated classifier) and returns plain frames and
numbers; rendering them is the CLI's job.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from credit_runtime.scorecard import ScorecardClassifier, quiet_optbinning

NOT_PREDICTIVE_IV = 0.02
SUSPICIOUS_IV = 0.5
TABLE_COLUMNS = ("characteristic", "bin", "count", "bad_rate", "woe", "iv", "points")


def find_scorecard(model: object) -> ScorecardClassifier | None:
    """The fitted scorecard inside `model`, or None when the model is not a scorecard.

    Looks through a pipeline's last step, a fitted threshold classifier (`estimator_`), a
    frozen estimator, and a calibrated classifier that holds exactly one fitted model.
    """
    current: Any = model
    for _ in range(10):
        if isinstance(current, ScorecardClassifier):
            return current
        if hasattr(current, "steps"):
            current = current.steps[-1][1]
        elif hasattr(current, "calibrated_classifiers_"):
            fitted = current.calibrated_classifiers_
            current = fitted[0].estimator if len(fitted) == 1 else None
        elif hasattr(current, "estimator_"):
            current = current.estimator_
        elif type(current).__name__ == "FrozenEstimator":
            current = current.estimator
        else:
            return None
    return None


def _bin_label(value: Any) -> str:
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(str(v) for v in np.asarray(value).ravel().tolist())
    return str(value)


def points_table(model: ScorecardClassifier) -> pd.DataFrame:
    """One row per bin: characteristic, bin, count, bad rate, WoE, IV, points.

    Empty "Special" and "Missing" bins (the schema allows no missing values) are left out.
    Rare codes (optbinning's "Special" bin) are scored with WoE 0, the neutral points of
    their characteristic, as is a code never seen in training; the table shows that WoE.
    """
    frames = []
    for name in model.feature_names_:
        binning = model.binning_process_.get_binned_variable(name)
        with quiet_optbinning():
            table = binning.binning_table.build(add_totals=False)
        # categorical bins are arrays of codes, so the labels are compared one by one
        kind = [
            b if isinstance(b, str) and b in ("Special", "Missing") else "" for b in table["Bin"]
        ]
        keep = (table["Count"] > 0).to_numpy() | (np.array(kind) == "")
        table = table[keep]
        special = np.array(kind)[keep] == "Special"
        woe = np.where(special, 0.0, table["WoE"].to_numpy(dtype=float))
        rare = "rare: " + ", ".join(str(c) for c in model.rare_codes_.get(name, []))
        frames.append(
            pd.DataFrame(
                {
                    "characteristic": name,
                    "bin": [
                        rare if s else _bin_label(b)
                        for s, b in zip(special, table["Bin"], strict=True)
                    ],
                    "count": table["Count"].to_numpy(dtype=int),
                    "bad_rate": table["Event rate"].to_numpy(dtype=float),
                    "woe": woe,
                    "iv": table["IV"].to_numpy(dtype=float),
                    "points": model.bin_points(name, woe),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def iv_flag(iv: float) -> str:
    if iv < NOT_PREDICTIVE_IV:
        return "not predictive"
    if iv > SUSPICIOUS_IV:
        return "suspicious"
    return ""


def information_values(table: pd.DataFrame) -> pd.DataFrame:
    """IV per characteristic (sum over its bins) with its flag, highest first."""
    ivs = table.groupby("characteristic", sort=False)["iv"].sum()
    out = pd.DataFrame({"characteristic": ivs.index, "iv": ivs.to_numpy(dtype=float)})
    out["flag"] = [iv_flag(v) for v in out["iv"]]
    return out.sort_values("iv", ascending=False, kind="stable").reset_index(drop=True)


def max_points(model: ScorecardClassifier) -> pd.Series:
    """The most points each characteristic can give (over its bins and the neutral WoE 0)."""
    table = points_table(model)
    best = table.groupby("characteristic", sort=False)["points"].max()
    neutral = pd.Series(
        {n: float(model.bin_points(n, np.zeros(1))[0]) for n in model.feature_names_}
    )
    return pd.concat([best, neutral], axis=1).max(axis=1).reindex(model.feature_names_)


def points_below_max(model: object, X: pd.DataFrame, best: pd.Series | None = None) -> pd.DataFrame:
    """Per applicant and characteristic, the points lost against the characteristic's best bin.

    The bureau method of reason codes: the characteristics with the most points below their
    maximum are the main reasons for a low score. `model` may be any model wrapping a
    scorecard; anything else raises ValueError. `best` is `max_points` of its scorecard when
    the caller keeps it (it depends on the fitted model only, and takes ~90 ms to build).
    """
    card = find_scorecard(model)
    if card is None:
        raise ValueError("the model is not a scorecard (no ScorecardClassifier inside)")
    points = card.points(X)
    if best is None:
        best = max_points(card)
    return pd.DataFrame(
        best.to_numpy()[None, :] - points.to_numpy(), columns=points.columns, index=points.index
    )


def credit_scores(model: object, X: pd.DataFrame) -> np.ndarray | None:
    """The scorecard points of each applicant (higher = safer), or None for other models.

    The score is the scorecard's own: with calibration on, P(bad) is the calibrated one
    while the points keep the scorecard's scale (they rank applicants the same way).
    """
    card = find_scorecard(model)
    return None if card is None else card.credit_score(X)


def points_problem(model: object) -> str | None:
    """Why the points of the scorecard inside `model` are not all finite numbers, or None
    (also for a model that is no scorecard). Read back from a model's files, the scale and
    the coefficients are input: a scale beyond any number gives -inf or NaN points.

    Every bin's points are checked, from the WoE of each step of the scorecard's lookups
    (built here once, then used for scoring) or else from its table."""
    from credit_runtime.scorecard import _lookup

    card = find_scorecard(model)
    if card is None:
        return None
    fitted = getattr(card, "estimator_", None)
    numbers = {
        "factor": getattr(card, "factor_", None),
        "offset": getattr(card, "offset_", None),
        "coefficients": getattr(fitted, "coef_", None),
        "intercept": getattr(fitted, "intercept_", None),
    }
    for name, value in numbers.items():
        try:
            finite = bool(np.isfinite(np.asarray(value, dtype=float)).all())
        except (TypeError, ValueError):
            finite = False
        if value is None or not finite:
            return f"the scorecard's {name} is not a finite number"
    lookup = _lookup(card)
    if lookup is None:
        points = points_table(card)["points"].to_numpy(dtype=float)
    else:
        with np.errstate(all="ignore"):
            points = np.concatenate(
                [
                    card.bin_points(name, _step_woe(step))
                    for name, step in zip(card.feature_names_, lookup.steps, strict=True)
                ]
            )
    if not np.isfinite(points).all():
        return "the scorecard's points are not all finite numbers"
    return None


def _step_woe(step: Any) -> np.ndarray:
    """Every WoE one characteristic's lookup can give, and 0 (rare and unseen codes)."""
    parts = [step.key_woe, step.bin_woe if step.bin_woe is not None else np.empty(0)]
    return np.concatenate([*parts, [step.unknown, step.missing, 0.0]]).astype(float)
