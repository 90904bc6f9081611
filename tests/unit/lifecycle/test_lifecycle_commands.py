"""register, promote, resolve and compare against the in-memory fake of the tracking facade.

The same commands run against real stores in tests/integration; here each rule is checked
with a store a test can build in a few lines.
"""

from __future__ import annotations

import re

import pytest
from tests.fake_store import FakeStore

from credit_mlops.compare.query import Query
from credit_mlops.compare.views import compare, compare_registry, compare_runs
from credit_mlops.errors import InputError, NotFoundError
from credit_mlops.lifecycle.promote import history, promote
from credit_mlops.lifecycle.promotion import GateRefusedError
from credit_mlops.lifecycle.register import register
from credit_mlops.lifecycle.resolve import resolve
from credit_mlops.tracking.store import TrackingStore

AUC = "roc_auc_test_mean"


def trained(store: FakeStore, key: str, auc: float | None, **tags: str) -> str:
    metrics = {} if auc is None else {AUC: auc, "roc_auc_test_std": 0.03}
    run = store.add_run(metrics=metrics, tags={"model_name": key, "model_version": "0.1.0", **tags})
    return run.run_id


def test_the_fake_is_a_tracking_store() -> None:
    store: TrackingStore = FakeStore()  # mypy checks the protocol; here it must construct
    assert store.registered_names() == []


def test_register_uses_the_runs_model_and_tags() -> None:
    store = FakeStore()
    run_id = trained(store, "xgboost", 0.77)
    result = register(store, run_id, None)
    assert (result.name, result.version, result.run_id) == ("xgboost", "1", run_id)
    assert store.calls[-1] == (
        "register",
        ("xgboost", f"models:/m-{run_id}", run_id, f"m-{run_id}",
         {"model_key": "xgboost", "model_version": "0.1.0"}),
    )  # fmt: skip
    assert register(store, run_id, "champion").name == "champion"


def test_register_errors() -> None:
    store = FakeStore()
    with pytest.raises(NotFoundError, match="no run with id 'nope' at fake://store"):
        register(store, "nope", None)
    bare = store.add_run(tags={})
    with pytest.raises(InputError, match=f"run '{bare.run_id}' has no model_name tag"):
        register(store, bare.run_id, None)
    without = store.add_run(tags={"model_name": "svm", "no_model": "true"})
    with pytest.raises(NotFoundError, match="has no logged model named 'model'"):
        register(store, without.run_id, None)


def test_register_refuses_a_deleted_run_before_writing() -> None:
    store = FakeStore()
    run = store.add_run(tags={"model_name": "svm"}, lifecycle_stage="deleted")
    restore = f"restore it (`mlflow runs restore --run-id {run.run_id}`) or pick another run"
    with pytest.raises(NotFoundError, match=re.escape(restore)) as caught:
        register(store, run.run_id, "champion")
    assert str(caught.value).startswith(f"the training run {run.run_id} was deleted")
    assert not [call for call in store.calls if call[0] == "register"]
    assert store.registered_names() == []


def promoted_store() -> FakeStore:
    store = FakeStore()
    store.add_version("xgboost", trained(store, "xgboost", 0.7773))
    store.add_version("xgboost", trained(store, "xgboost", 0.6833))
    store.add_version("xgboost", trained(store, "xgboost", 0.80))
    return store


def test_promotion_moves_stage_alias_and_records_it() -> None:
    store = promoted_store()
    first = promote(store, "xgboost", "1", "staging", metric=AUC)
    assert (first.from_stage, first.to_stage, first.candidate) == ("None", "Staging", 0.7773)
    assert store.models["xgboost"].aliases == {"staging": "1"}
    promote(store, "xgboost", "1", "Production", metric=AUC)
    assert store.models["xgboost"].aliases == {"production": "1"}
    assert [v.current_stage for v in store.versions("xgboost")] == ["Production", "None", "None"]


def test_gate_refuses_a_worse_version_and_force_overrides() -> None:
    store = promoted_store()
    promote(store, "xgboost", "1", "Production", metric=AUC)
    with pytest.raises(GateRefusedError, match=r"v2 has roc_auc_test_mean 0.6833, worse than"):
        promote(store, "xgboost", "2", "Production", metric=AUC)
    assert store.versions("xgboost")[1].current_stage == "None"  # nothing changed
    forced = promote(store, "xgboost", "2", "Production", metric=AUC, force=True)
    assert forced.forced
    assert forced.archived == ("1",)
    assert [v.current_stage for v in store.versions("xgboost")] == [
        "Archived",
        "Production",
        "None",
    ]
    records = history(store, "xgboost")
    assert [(r.version, r.to_stage, r.note) for r in records] == [
        ("1", "Production", ""),
        ("2", "Production", ""),
        ("1", "Archived", "replaced by v2"),
    ]


def test_keep_existing_archives_nothing() -> None:
    store = promoted_store()
    promote(store, "xgboost", "1", "Production", metric=AUC)
    record = promote(store, "xgboost", "3", "Production", metric=AUC, keep_existing=True)
    assert record.archived == ()
    assert record.current_version == "1"


def test_unknown_model_lists_the_registered_ones() -> None:
    store = promoted_store()
    with pytest.raises(
        NotFoundError, match=r"no registered model 'xgb' at fake://store \(registered: xgboost\)"
    ):
        promote(store, "xgb", "1", "Staging", metric=AUC)


def test_resolve_every_form() -> None:
    store = promoted_store()
    promote(store, "xgboost", "1", "Production", metric=AUC)
    run_1 = store.versions("xgboost")[0].run_id
    assert resolve(store, "xgboost").uri == "models:/xgboost/3"
    assert resolve(store, "xgboost/2").version == "2"
    assert resolve(store, "xgboost/production").uri == "models:/xgboost/1"
    assert resolve(store, "models:/xgboost@production").run_id == run_1
    assert resolve(store, f"runs:/{run_1}").uri == f"models:/m-{run_1}"
    assert resolve(store, f"runs:/{run_1}/model").uri == f"runs:/{run_1}/model"
    hex_run = store.add_run(run_id="0" * 32).run_id
    assert resolve(store, f"models:/m-{hex_run}").run_id == hex_run
    with pytest.raises(NotFoundError, match=f"no logged model 'm-{'f' * 32}'"):
        resolve(store, f"models:/m-{'f' * 32}")
    with pytest.raises(NotFoundError, match="has no version in stage Staging; promote one"):
        resolve(store, "xgboost/Staging")
    with pytest.raises(NotFoundError, match=r"has no alias 'champion' \(aliases: production\)"):
        resolve(store, "xgboost@champion")


def test_compare_takes_the_latest_run_per_model_and_says_what_it_left_out() -> None:
    store = FakeStore()
    trained(store, "svm", 0.70)
    trained(store, "xgboost", 0.60)
    newest = trained(store, "xgboost", 0.7773)
    store.add_run(tags={"credit.kind": "evaluation", "model_name": "xgboost"})
    trained(store, "decision_tree", None)
    store.add_version("xgboost", newest, "Production")
    result = compare(store, Query(experiment="credit-risk"), "fake://store")
    assert [r["model"] for r in result.rows] == ["xgboost", "svm", "decision_tree"]
    assert result.rows[0]["run_id"] == newest
    assert result.rows[0]["stage"] == "Production"
    assert result.best[AUC] == [0]
    assert result.notes == (
        "1 evaluation run(s) left out (see `credit evaluate`)",
        "1 run(s) without roc_auc_test_mean (--no-evaluate or failed)",
    )
    every = compare(store, Query(experiment="credit-risk", all_runs=True, top=2), "fake://store")
    assert every.considered == 5
    assert len(every.rows) == 2


def test_compare_runs_and_registry_views() -> None:
    store = promoted_store()
    ids = [v.run_id for v in store.versions("xgboost")][:2]
    side = compare_runs(store, ids, "fake://store")
    assert [r["field"] for r in side.rows] == [AUC, "roc_auc_test_std"]
    assert side.best == {ids[0]: [0, 1], ids[1]: [1]}  # the higher AUC; equal stds tie
    registry = compare_registry(store, Query(experiment="credit-risk", sort=AUC), "fake://store")
    assert [r["version"] for r in registry.rows] == [3, 1, 2]
    with pytest.raises(NotFoundError, match="experiment 'other' not found"):
        compare(store, Query(experiment="other"), "fake://store")
