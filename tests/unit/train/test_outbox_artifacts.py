"""A hostile tester's findings on what an outbox entry carries into the run it becomes:

- forged artifact contents (`results/holdout.json` = "zz") synced with exit 0, and later
  commands read the bogus file back from the run: every artifact of the record is now read,
  before anything is logged, by the function that reads it back from a run; a name credit
  train never writes is refused;
- a param value of 100,000 characters synced with exit 0 and MLflow kept its first 6,000:
  values and names beyond MLflow's limits are refused.

Each refusal is one line naming the entry and what is wrong, exit 2, nothing in the store,
the entry kept; a genuine entry still syncs with its artifacts unchanged.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.fake_store import FakeStore
from tests.unit.train.test_outbox_sync import spec

from credit_mlops.tracking.records import RunSpec
from credit_mlops.train.outbox import entries, write_entry
from credit_mlops.train.sync import sync

REMOVE = "the entry was changed by hand or by another tool: remove it"


def genuine_artifacts() -> dict[str, object]:
    """What `credit train` logs into `artifacts`, made by the writers `train.spec` calls."""
    from credit_mlops.config.settings import Settings
    from credit_mlops.data.described import default
    from credit_mlops.data.split import Holdout
    from credit_mlops.explain.background import to_json as background
    from credit_mlops.modeling.scorecard_report import BinRow, Characteristic, ScorecardReport
    from credit_mlops.monitor.build import reference_artifact
    from credit_mlops.train import model_files

    base = spec()
    X = base.dataset.drop(columns="kredit")
    described = default().to_json()
    card = ScorecardReport(
        model="scorecard",
        uri="",
        pdo=20.0,
        base_score=600.0,
        base_odds=50.0,
        characteristics=(
            Characteristic("laufzeit", 0.3, "", (BinRow("<= 12", 2, 0.5, 0.1, 0.01, 30.0),)),
        ),
    )
    return {
        "results/model_results.json": {
            "model_key": "logistic_regression",
            "params": {k: str(v) for k, v in base.params.items()},
            "cv_results": None,
        },
        "results/holdout.json": Holdout((0, 1), (2, 3), 0.5, 42).to_json("a1b2c3"),
        "explain/background.json": background(X, 42),
        "data/description.json": described,
        "monitoring/reference.json": reference_artifact(X, None, base.pipeline, 0.5, bins=3),
        "results/scorecard.json": card.to_json(),
        **model_files.artifacts(Settings(), "logistic_regression"),
    }


def genuine_spec(**changes: Any) -> RunSpec:
    return replace(spec(), artifacts=genuine_artifacts(), **changes)


def _params(**more: str) -> dict[str, str]:
    """The record's params (text, as `entry_record` writes them), plus `more`."""
    return {**{k: str(v) for k, v in spec().params.items()}, **more}


def _forge(outbox: Path, **changes: object) -> Path:
    """A genuine entry (as `credit train` keeps it), then its record edited."""
    entry = write_entry(outbox, genuine_spec(), experiment="credit-risk", reason="x")
    record = json.loads((entry / "run.json").read_text())
    record.update(changes)
    (entry / "run.json").write_text(json.dumps(record))
    return entry


def _forged_artifact(outbox: Path, name: str, content: object) -> Path:
    return _forge(outbox, artifacts={**genuine_artifacts(), name: content})


def _refused(outbox: Path, entry: Path) -> str:
    """The entry refused in one line (exit 2), nothing logged, entry kept; the line after
    the entry's name."""
    store = FakeStore()
    [result] = sync(store, outbox)
    assert (result.status, result.exit_code) == ("failed", 2), result
    assert result.error is not None and "\n" not in result.error
    assert result.error.startswith(f"outbox entry {entry.name}: run.json: ")
    assert store.runs == {} and store.models == {}
    assert entries(outbox) == [entry]
    return result.error.removeprefix(f"outbox entry {entry.name}: run.json: ")


def _not_written(name: str, why: str) -> str:
    return f"artifact {name} is not one the tool wrote ({why}); {REMOVE}"


# --- artifacts: contents --------------------------------------------------------------------


def test_a_genuine_entry_with_every_artifact_syncs_them_unchanged(tmp_path: Path) -> None:
    write_entry(tmp_path, genuine_spec(), experiment="credit-risk", reason="x")
    store = FakeStore()
    [result] = sync(store, tmp_path)
    assert result.status == "synced", result.error
    logged = json.loads(json.dumps(store.specs[str(result.run_id)].artifacts))
    assert logged == json.loads(json.dumps(genuine_artifacts()))
    assert entries(tmp_path) == []


def test_an_entry_of_the_spark_engine_syncs(tmp_path: Path) -> None:
    """Spark's holdout keeps no row positions, and it logs no description files."""
    from credit_mlops.monitor.build import from_training

    artifacts = genuine_artifacts()
    X = spec().dataset.drop(columns="kredit")
    reference = from_training(X, [0.1, 0.9, 0.2, 0.8], 0.5, bins=3, score_source="sample")
    spark = {
        "results/model_results.json": {
            **artifacts["results/model_results.json"],
            "engine": "spark",
        },  # type: ignore[dict-item]
        "results/holdout.json": {"data_digest": "d", "split": "hash", "test_rows": []},
        "explain/background.json": artifacts["explain/background.json"],
        "monitoring/reference.json": reference.to_json(),
    }
    write_entry(tmp_path, replace(spec(), artifacts=spark), experiment="e", reason="x")
    [result] = sync(FakeStore(), tmp_path)
    assert result.status == "synced", result.error


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        # the hostile tester's case: read back by `credit evaluate` (kept_rows)
        ("results/holdout.json", "zz", "it is not a JSON object"),
        ("results/holdout.json", {"test_rows": [1, 2]}, "data_digest is not text"),
        (
            "results/holdout.json",
            {"test_rows": [1, -2], "data_digest": "d"},
            "test_rows is not a list of row positions",
        ),
        ("results/holdout.json", {"test_rows": [1, 1], "data_digest": "d"}, "names a row twice"),
        # read back by `credit monitor` (Reference.from_json)
        ("monitoring/reference.json", "zz", "'str' object has no attribute 'get'"),
        ("monitoring/reference.json", {"format": 99}, "reference format 99, expected 1"),
        # read back by `credit explain` and the logged model (background.from_json)
        ("explain/background.json", [], "list indices must be integers or slices, not str"),
        (
            "explain/background.json",
            {"rows": [[1]], "columns": ["a"], "dtypes": ["no-such-type"]},
            "data type 'no-such-type' not understood",
        ),
        # read back by `credit predict` / `credit evaluate` (description.parse)
        ("data/description.json", "zz", "not a JSON object"),
        ("data/description.json", {"name": "x"}, "at target: Field required"),
        # the logged model's own files, read by its runtime when it loads
        ("model/description.json", {"columns": []}, "at name: Field required"),
        ("model/decision.json", {"reasons": -1}, "'reasons' is -1, not a count"),
        ("model/decision.json", {"scale": {"points": 1}}, "Scale.__init__() got an unexpected"),
        # read by people: still the shape train writes
        ("results/model_results.json", "zz", "not a JSON object"),
        ("results/model_results.json", {"params": {}}, "model_key is not text"),
        ("results/scorecard.json", {"model": "x"}, "its fields are not base_odds, base_score"),
    ],
)
def test_forged_artifact_contents_are_refused_before_any_run(
    tmp_path: Path, name: str, content: object, why: str
) -> None:
    entry = _forged_artifact(tmp_path, name, content)
    error = _refused(tmp_path, entry)
    assert error.startswith(f"artifact {name} is not one the tool wrote (")
    assert why in error
    assert error.endswith(f"); {REMOVE}")


def test_the_hostile_testers_holdout_is_refused_in_one_exact_line(tmp_path: Path) -> None:
    entry = _forged_artifact(tmp_path, "results/holdout.json", "zz")
    assert _refused(tmp_path, entry) == _not_written(
        "results/holdout.json", "it is not a JSON object"
    )


def test_results_of_another_model_than_the_entry_trains_are_refused(tmp_path: Path) -> None:
    results = {"model_key": "xgboost", "params": {}}
    entry = _forged_artifact(tmp_path, "results/model_results.json", results)
    assert _refused(tmp_path, entry) == (
        "artifact results/model_results.json is of the model 'xgboost', the entry's params of "
        f"'logistic_regression'; {REMOVE}"
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("results/forged.json", "'results/forged.json' is"),
        ("model/MLmodel", "'model/MLmodel' is"),
        ("../escaped.json", "'../escaped.json' is not a plain relative path and is"),
        ("r" * 500, f"'{'r' * 60}'... is"),
    ],
)
def test_an_artifact_credit_train_never_writes_is_refused(
    tmp_path: Path, name: str, shown: str
) -> None:
    entry = _forged_artifact(tmp_path, name, {"a": 1})
    assert _refused(tmp_path, entry) == f"artifact {shown} not one credit train writes; {REMOVE}"


# --- MLflow's limits on a run's data ------------------------------------------------------------


def test_the_limits_are_mlflows_own() -> None:
    """train/ may not import mlflow (import-linter): its copies are pinned to MLflow's."""
    from mlflow.utils import validation

    from credit_mlops import names
    from credit_mlops.train import outbox_names

    assert outbox_names.KEY_MAX == validation.MAX_ENTITY_KEY_LENGTH
    assert outbox_names.KEY_MAX == validation.MAX_MODEL_REGISTRY_TAG_KEY_LENGTH
    assert outbox_names.PARAM_VALUE_MAX == validation.MAX_PARAM_VAL_LENGTH
    assert outbox_names.TAG_VALUE_MAX == names.TAG_VALUE_MAX == validation.MAX_TAG_VAL_LENGTH
    assert outbox_names.VERSION_TAG_VALUE_MAX == validation.MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH
    assert outbox_names.DATASET_NAME_MAX == validation.MAX_DATASET_NAME_SIZE
    assert outbox_names.DATASET_SOURCE_MAX <= validation.MAX_DATASET_SOURCE_SIZE
    assert names.EXPERIMENT_MAX == validation.MAX_EXPERIMENT_NAME_LENGTH


def test_a_param_value_mlflow_would_cut_short_is_refused(tmp_path: Path) -> None:
    """The hostile tester's case: 100,000 characters, of which MLflow kept 6,000."""
    entry = _forge(tmp_path, params=_params(data_source="p" * 100_000))
    assert _refused(tmp_path, entry) == (
        "param 'data_source' is 100,000 characters long; MLflow's limit is 6000 (it would keep "
        f"only the start); {REMOVE}"
    )


def test_a_tag_value_mlflow_would_cut_short_is_refused(tmp_path: Path) -> None:
    entry = _forge(tmp_path, tags={**genuine_spec().tags, "owner": "o" * 8001})
    assert _refused(tmp_path, entry) == (
        "tag 'owner' is 8,001 characters long; MLflow's limit is 8000 (it would keep only the "
        f"start); {REMOVE}"
    )


@pytest.mark.parametrize(
    ("field", "what", "value"),
    [("params", "param", "1"), ("metrics", "metric", 0.5), ("tags", "tag", "x")],
)
def test_a_name_longer_than_mlflows_limit_is_refused(
    tmp_path: Path, field: str, what: str, value: object
) -> None:
    record = {"params": _params(), "metrics": spec().metrics, "tags": spec().tags}
    entry = _forge(tmp_path, **{field: {**record[field], "k" * 251: value}})
    assert _refused(tmp_path, entry).startswith(
        f"{what} name '{'k' * 60}'... is not valid; use 1-250"
    )


def test_values_and_names_at_mlflows_limits_sync_whole(tmp_path: Path) -> None:
    base = genuine_spec()
    write_entry(
        tmp_path,
        replace(
            base,
            params={**base.params, "data_source": "p" * 6000, "k" * 250: "1"},
            tags={**base.tags, "owner": "o" * 8000},
        ),
        experiment="credit-risk",
        reason="x",
    )
    store = FakeStore()
    [result] = sync(store, tmp_path)
    assert result.status == "synced", result.error
    run = store.runs[str(result.run_id)]
    assert run.params["data_source"] == "p" * 6000 and run.params["k" * 250] == "1"
    assert run.tags["owner"] == "o" * 8000


# --- in a real process, against a real MLflow store -----------------------------------------


@pytest.mark.slow
def test_credit_sync_logs_nothing_of_forged_artifacts_or_long_params(store: Path) -> None:
    import sqlite3

    from tests.conftest import credit

    outbox = store / "outbox"
    forged = [
        _forged_artifact(outbox, "results/holdout.json", "zz"),
        _forge(outbox, params=_params(data_source="p" * 100_000)),
    ]
    base = genuine_spec(register_as=None)
    write_entry(
        outbox,
        replace(base, params={**base.params, "data_source": "p" * 6000}),
        experiment="credit-risk",
        reason="t",
    )
    result = credit(["sync"], store.parent)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().splitlines()
    assert any(
        f"outbox entry {forged[0].name}: run.json: artifact results/holdout.json" in line
        for line in lines
    )
    assert any(
        f"outbox entry {forged[1].name}: run.json: param 'data_source'" in line for line in lines
    )
    assert sorted(entries(outbox)) == sorted(forged)
    with sqlite3.connect(store / "mlflow.db") as con:
        runs = con.execute("select run_uuid, status from runs").fetchall()
        [(run_id, status)] = runs  # the genuine entry's run only
        [(value,)] = con.execute(
            "select value from params where run_uuid = ? and key = 'data_source'", (run_id,)
        ).fetchall()
    assert status == "FINISHED" and value == "p" * 6000
