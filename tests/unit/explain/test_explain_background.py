"""The stored background sample, the holdout rule, and the fairness figures kept on a version."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.schema import FEATURES
from credit_mlops.errors import InputError
from credit_mlops.explain.background import from_json, sample, to_json
from credit_mlops.fairness.assess import as_dict, figures, version_tags
from credit_mlops.fairness.metrics import fairness
from credit_mlops.lifecycle.evaluation_target import check_scope
from credit_mlops.tracking.records import RunRecord


def test_background_is_seeded_and_round_trips_through_json() -> None:
    X = synthetic(300, seed=4)[list(FEATURES)]
    stored = json.loads(json.dumps(to_json(X, seed=42)))  # as logged, as read back
    back = from_json(stored)
    pd.testing.assert_frame_equal(back, sample(X, seed=42))
    assert list(back.dtypes) == list(X.dtypes)
    assert len(back) == 50 and stored["seed"] == 42
    assert not sample(X, seed=43).equals(sample(X, seed=42))
    rows = [tuple(r) for r in X.to_numpy().tolist()]
    assert all(tuple(r) in rows for r in back.to_numpy().tolist())  # rows of the training part


def test_a_run_without_holdout_needs_data() -> None:
    run = RunRecord("r1", "0", "train", "FINISHED", None, None, params={"holdout_rows": "0"})
    with pytest.raises(InputError, match=r"kept no holdout.*--data") as info:
        check_scope(run, None)
    assert info.value.exit_code == 2
    check_scope(run, Path("x.csv"))  # a file is fine
    kept = RunRecord("r2", "0", "train", "FINISHED", None, None, params={"holdout_rows": "300"})
    check_scope(kept, None)


def test_the_figures_logged_and_tagged() -> None:
    rng = np.random.default_rng(1)
    n = 400
    X = pd.DataFrame(
        {
            "alter": rng.integers(19, 75, n),
            "gastarb": rng.choice([1, 2], n, p=[0.05, 0.95]),
            "famges": rng.choice([1, 2, 3, 4], n),
        }
    )
    bad = (rng.uniform(size=n) < 0.3).astype(int)
    proba = np.clip(bad * 0.3 + rng.uniform(size=n) * 0.7, 0, 1)
    report = fairness(
        X, bad, proba, 0.4, attributes=["alter", "gastarb", "famges"], bands={"alter": [25, 35, 50]}
    )
    tags = version_tags(report, "holdout")
    worst = report.worst()
    assert worst is not None
    assert tags["fairness.max_parity_difference"] == f"{report.max_parity_difference:.4f}"
    assert tags["fairness.worst_attribute"] == worst.attribute
    assert float(tags["fairness.age.parity_difference"]) == pytest.approx(
        report.attributes[0].parity_difference, abs=1e-4
    )
    logged = figures(report, "holdout")
    assert "holdout_fairness_sex_parity_difference" in logged
    assert all(not math.isnan(v) for v in logged.values())
    payload = json.loads(json.dumps(as_dict(report)))  # NaN becomes null, valid JSON
    assert payload["attributes"][2]["attribute"] == "sex"
    assert payload["max_parity_difference"] == pytest.approx(report.max_parity_difference)
