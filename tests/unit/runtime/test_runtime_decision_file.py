"""`credit/decision.json` read back by the runtime is input: every field is checked by type
and range when the model loads, so a file changed after logging refuses to load (one line,
DamagedModel) instead of a model that answers NaN, 500s or one score for everyone."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from credit_mlops.data.schema import DEFAULT, FEATURES
from credit_runtime.errors import DamagedModel
from credit_runtime.model import Scale
from credit_runtime.pyfunc import with_files

WRITTEN = {  # what credit_mlops.train.model_files.decision writes
    "key": "logistic_regression",
    "scale": {"pdo": 20.0, "base_score": 600.0, "base_odds": 50.0},
    "reasons": 4,
}


@pytest.fixture(scope="module")
def estimator() -> Any:
    from credit_mlops.data.random_rows import synthetic
    from credit_mlops.modeling.build import PipelineConfig, build_pipeline, target_bad
    from credit_mlops.modeling.decision import with_decision

    frame = synthetic(200, seed=5)
    pipeline = with_decision(build_pipeline("logistic_regression", PipelineConfig(7, None)), 0.3)
    return pipeline.fit(frame[list(FEATURES)], target_bad(frame["kredit"]))


def _folder(tmp_path: Path, decision: object, *, description: bool = True) -> Path:
    folder = tmp_path / "credit"
    folder.mkdir()
    text = decision if isinstance(decision, str) else json.dumps(decision)
    (folder / "decision.json").write_text(text, encoding="utf-8")
    if description:
        (folder / "description.json").write_text(json.dumps(DEFAULT.to_json()))
    return folder


def _scale(**fields: object) -> dict[str, Any]:
    return {**WRITTEN, "scale": {**WRITTEN["scale"], **fields}}  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (_scale(pdo=float("nan")), "scale 'pdo' is nan, not a finite number"),
        (_scale(pdo=0), "scale 'pdo' is 0, not above 0"),
        (_scale(pdo=-20), "scale 'pdo' is -20, not above 0"),
        (_scale(pdo=float("inf")), "scale 'pdo' is inf, not a finite number"),
        (_scale(pdo=1e308), "scores beyond any number"),
        (_scale(pdo="20"), "scale 'pdo' is '20', not a number"),
        (_scale(pdo=True), "scale 'pdo' is True, not a number"),
        (_scale(base_odds=-5), "scale 'base_odds' is -5, not above 0"),
        (_scale(base_odds=0), "scale 'base_odds' is 0, not above 0"),
        (_scale(base_score=float("-inf")), "scale 'base_score' is -inf, not a finite number"),
        (_scale(base_score=None), "scale 'base_score' is None, not a number"),
        ({**WRITTEN, "scale": {"pdo": 20.0, "base_score": 600.0}}, "'scale' has no 'base_odds'"),
        ({**WRITTEN, "scale": {}}, "'scale' has no 'base_odds'"),
        ({**WRITTEN, "scale": [20, 600, 50]}, "'scale' is not an object"),
        ({**WRITTEN, "reasons": 100000}, "'reasons' is 100000, more than the model's 20 columns"),
        ({**WRITTEN, "reasons": 21}, "more than the model's 20 columns"),
        ({**WRITTEN, "reasons": -1}, "'reasons' is -1, not a count"),
        ({**WRITTEN, "reasons": 2.0}, "'reasons' is 2.0, not a count"),
        ({**WRITTEN, "reasons": True}, "'reasons' is True, not a count"),
        ({**WRITTEN, "threshold": float("nan")}, "'threshold' is nan, not a probability"),
        ({**WRITTEN, "threshold": 1.5}, "'threshold' is 1.5, not a probability"),
        ({**WRITTEN, "threshold": -0.1}, "'threshold' is -0.1, not a probability"),
        ({**WRITTEN, "key": 7}, "'key' is 7, not a model's kind"),
        ({**WRITTEN, "key": ""}, "'key' is '', not a model's kind"),
        ({**WRITTEN, "pdo": 0}, "unknown field 'pdo'"),
        (_scale(pdo=10**400), "scale 'pdo' is 1000"),  # a whole number beyond any float
        ({**WRITTEN, "threshold": 10**400}, "not a probability"),
        ('{"key": "logistic_regression", "reasons": 4, "scale": {"pdo": NaN, '
         '"base_score": 600, "base_odds": 50}}', "scale 'pdo' is nan"),  # as the tester wrote it
    ],
)  # fmt: skip
def test_a_decision_file_outside_its_types_and_ranges_is_damage(
    estimator: Any, tmp_path: Path, text: object, why: str
) -> None:
    with pytest.raises(DamagedModel) as caught:
        with_files(estimator, _folder(tmp_path, text))
    message = str(caught.value)
    assert message.startswith("credit/decision.json logged with the model cannot be read (")
    assert why in message, message
    assert message.endswith("train and register the model again") and "\n" not in message


def test_the_file_as_the_writer_writes_it_loads_and_scores_finite(
    estimator: Any, tmp_path: Path
) -> None:
    from credit_mlops.data.random_rows import synthetic

    model = with_files(estimator, _folder(tmp_path, {**WRITTEN, "reasons": 20}))
    assert model.scale == Scale(20.0, 600.0, 50.0) and model.default_reasons == 20
    out = model.predict(synthetic(20, seed=9)[list(FEATURES)], {"reasons": 0})
    assert np.isfinite(out["score"]).all() and out["score"].nunique() > 1


def test_the_writer_s_own_file_is_read_back(project: Path) -> None:
    """The reader takes exactly what `credit train` writes (with its defaults)."""
    from credit_mlops.config.loader import load_settings
    from credit_mlops.train.model_files import decision
    from credit_runtime.pyfunc import _decision

    written = decision(load_settings(), "xgboost")
    read = _decision(json.loads(json.dumps(written)), most_reasons=len(FEATURES))
    assert read["key"] == "xgboost" and read["reasons"] == written["reasons"]
    assert read["scale"] == Scale(**written["scale"])


def test_a_model_logged_before_the_scale_or_reasons_were_written_still_loads(
    estimator: Any, tmp_path: Path
) -> None:
    model = with_files(estimator, _folder(tmp_path, {"key": "logistic_regression"}))
    assert model.scale == Scale() and model.default_reasons == 4


@pytest.mark.parametrize(
    "fields",
    [
        {"pdo": math.nan},
        {"pdo": 0.0},
        {"base_odds": -5.0},
        {"base_score": math.inf},
        {"pdo": 1e308, "base_score": 1e308},
    ],
)
def test_a_scale_that_would_score_nonsense_cannot_be_made(fields: dict[str, float]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Scale(**fields)
    ok = Scale(pdo=1e-9, base_score=-1e6, base_odds=1e-300)  # odd, but every score finite
    assert np.isfinite(ok.points(np.array([0.0, 0.5, 1.0]))).all()


def _column(**fields: object) -> dict[str, Any]:
    described = DEFAULT.to_json()
    described["columns"]["hoehe"] = {**described["columns"]["hoehe"], **fields}
    return described


@pytest.mark.parametrize(
    ("described", "why"),
    [
        (_column(range=[1.0, float("nan")]), "column 'hoehe': 'range' is [1.0, nan]"),
        (_column(range=["a", 5]), "column 'hoehe': 'range' is ['a', 5]"),
        (_column(range=[5, 1]), "not [low, high] of finite numbers"),
        (_column(range=[0, 10**400]), "not [low, high] of finite numbers"),
        (_column(range=[1]), "not [low, high]"),
        (_column(codes={"1": 2}), "'codes' is not an object of text"),
        (_column(aliases="amount"), "'aliases' is not a list of text"),
        (_column(label=7), "'label' is 7, not text"),
        (_column(integer="yes"), "'integer' is 'yes', not true or false"),
        ({**DEFAULT.to_json(), "columns": {}}, "'columns' is not an object of columns"),
        ({**DEFAULT.to_json(), "columns": {"hoehe": 3}}, "column 'hoehe': not an object"),
    ],
)
def test_a_description_outside_its_types_is_damage(
    estimator: Any, tmp_path: Path, described: dict[str, Any], why: str
) -> None:
    folder = _folder(tmp_path, WRITTEN, description=False)
    (folder / "description.json").write_text(json.dumps(described), encoding="utf-8")
    with pytest.raises(DamagedModel) as caught:
        with_files(estimator, folder)
    message = str(caught.value)
    assert message.startswith("credit/description.json logged with the model cannot be read (")
    assert why in message and "\n" not in message


def test_an_open_range_is_read(estimator: Any, tmp_path: Path) -> None:
    folder = _folder(tmp_path, WRITTEN, description=False)
    (folder / "description.json").write_text(json.dumps(_column(range=[1, None])))
    model = with_files(estimator, folder)
    hoehe = next(c for c in model.description.columns if c.name == "hoehe")
    assert (hoehe.low, hoehe.high) == (1, None)
