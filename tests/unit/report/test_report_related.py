"""What the model card takes from other commands' records (an in-memory store)."""

from __future__ import annotations

from tests.fake_store import FakeStore

from credit_mlops.report.card import Facts, Table, Text
from credit_mlops.report.related import comparison, optional_sections
from credit_mlops.tracking.records import VersionRecord


def test_linked_runs_fill_their_sections_and_the_rest_say_how_to_add_them() -> None:
    store = FakeStore()
    explain = store.add_run(run_name="explain_xgb_v1", metrics={"holdout_mean_abs_laufkont": 0.9})
    tune = store.add_run(run_name="tune_xgb", metrics={"best_roc_auc": 0.78})
    train = store.add_run(
        tags={"tuned_from": f"study-1/{tune.run_id}"}, params={"model_key": "xgboost"}
    )
    mv = VersionRecord(
        "xgb",
        "1",
        train.run_id,
        "None",
        tags={"explain.top_columns": "laufkont, laufzeit", "explain.run_id": explain.run_id},
    )
    sections = {o.title: o for o in optional_sections(store, train, mv, "xgb/1")}
    explained = sections["Explanations"].blocks
    assert Facts((("run_id", explain.run_id), ("top_columns", "laufkont, laufzeit"))) in explained
    assert Text(f"From run explain_xgb_v1 ({explain.run_id}).") in explained
    assert Table(("figure", "value"), (("holdout_mean_abs_laufkont", "0.9"),)) in explained
    assert sections["Fairness"].blocks == ()
    assert "credit fairness xgb/1" in sections["Fairness"].how_to_add
    tuned = sections["Tuning"].blocks
    assert Facts((("tuned_from", f"study-1/{tune.run_id}"),)) in tuned
    assert Table(("figure", "value"), (("best_roc_auc", "0.78"),)) in tuned


def test_comparison_with_production_names_both_versions() -> None:
    store = FakeStore()
    prod = store.add_run(metrics={"roc_auc_test_mean": 0.77, "expected_cost_cv": 0.52})
    cand = store.add_run(metrics={"roc_auc_test_mean": 0.75, "expected_cost_cv": 0.55})
    versions = [
        VersionRecord("xgb", "1", prod.run_id, "Production"),
        VersionRecord("xgb", "2", cand.run_id, "None"),
    ]
    c = comparison(store, versions[1], cand, versions)
    assert c.production == "Production v1"
    assert ("roc_auc_test_mean", 0.75, 0.77) in c.rows
    assert comparison(store, versions[0], prod, versions).note.startswith("This version is")
    alone = comparison(store, versions[1], cand, versions[1:])
    assert alone.rows == () and "no Production version" in alone.note


def test_training_facts_read_oversampling_calibration_and_hyperparameters() -> None:
    from credit_mlops.report.gather import training

    store = FakeStore()
    run = store.add_run(
        tags={"model_display_name": "XGBoost"},
        params={
            "model_key": "xgboost",
            "model__max_depth": "4",
            "smote__used": "True",
            "smote__method": "SMOTE",
            "smote__k_neighbors": "5",
            "calibrate": "sigmoid",
            "cv_folds": "5",
            "cv_repeats": "3",
        },
    )
    t = training(run)
    assert t.model == "XGBoost" and t.hyperparameters == (("max_depth", "4"),)
    assert t.oversampling.startswith("SMOTE (k_neighbors 5)")
    assert t.calibration == "sigmoid"
    assert t.cv_protocol.startswith("repeated stratified 5-fold × 3")
    plain = training(store.add_run(params={"model_key": "svm", "evaluated": "False"}))
    assert plain.oversampling == "none" and plain.calibration.startswith("none")
    assert plain.cv_protocol.startswith("none")


def test_suggested_commands_quote_the_names_they_repeat() -> None:
    """A registered name is the user's string: the command the card and the messages
    suggest stays one inert argument when pasted into a shell."""
    import shlex

    import pytest

    from credit_mlops.errors import NotFoundError
    from credit_mlops.lifecycle.resolve import _by_stage
    from credit_mlops.report.compose import stability

    store = FakeStore()
    train = store.add_run(params={"model_key": "xgboost"})
    target = "x;touch pwned;$(id)/1"
    mv = VersionRecord("x;touch pwned;$(id)", "1", train.run_id, "None", tags={})
    how = {o.title: o.how_to_add for o in optional_sections(store, train, mv, target)}
    assert shlex.split(how["Fairness"].split("`")[1]) == ["credit", "fairness", target]
    [text] = stability(None, target).blocks
    assert isinstance(text, Text)
    command = text.body.split("`")[1]
    assert shlex.split(command)[:3] == ["credit", "monitor", target]
    store.add_version("x;touch pwned;$(id)", train.run_id)
    with pytest.raises(NotFoundError) as caught:
        _by_stage(store, "x;touch pwned;$(id)", "Production")
    command = str(caught.value).split("`")[1]
    assert shlex.split(command)[:3] == ["credit", "promote", "x;touch pwned;$(id)"]
