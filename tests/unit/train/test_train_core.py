"""`credit_mlops.train.train` against the in-memory fake of the facade: what a run logs, and the
outbox when tracking fails after training (the partial run id travels as a typed field)."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from tests.fake_store import FakeStore

from credit_mlops.config.loader import load_settings
from credit_mlops.errors import TrackingError, TrackingUnreachableError
from credit_mlops.tracking.records import RunSpec, TrackedRun
from credit_mlops.train.inputs import TrainInputs
from credit_mlops.train.outbox import entries, outbox_dir
from credit_mlops.train.train import TrainingNotLoggedError, train

pytestmark = pytest.mark.slow  # whole training runs, folds in worker processes

FLAGS = {"train": {"models": ["decision_tree"], "evaluate": False}}


class DownStore(FakeStore):
    def log_training_run(
        self, spec: RunSpec, *, start_time: int | None = None, end_time: int | None = None
    ) -> TrackedRun:
        raise TrackingUnreachableError("tracking server at x is unreachable", partial_run_id="p1")


@pytest.fixture
def settings(project: Path, synthetic_file: Path):  # type: ignore[no-untyped-def]
    return load_settings(None, {**FLAGS, "data": {"path": synthetic_file}})


def test_one_run_logs_the_seed_contract_and_registers(settings) -> None:  # type: ignore[no-untyped-def]
    store = FakeStore()
    report = train(settings, TrainInputs(run_name="dt"), store=store)
    [result] = report.results
    assert (result.run_name, result.registered_name, result.registered_version) == (
        "dt",
        "decision_tree",
        "1",
    )
    spec = store.specs[result.run_id or ""]
    assert spec.params["version"] == "0.1.0"
    assert spec.params["model__max_depth"] == 5
    assert spec.params["smote__method"] == "BorderlineSMOTE"
    assert spec.params["threshold_source"].startswith("the cost matrix (Bayes rule")
    assert spec.params["cost__accept_bad"] == 5.0 and spec.params["cost__reject_good"] == 1.0
    assert spec.params["calibration"] == "none"
    assert spec.params["data_description"] == "south-german-credit"
    assert spec.artifacts["data/description.json"]["target"]["column"] == "kredit"
    assert spec.metrics["decision_threshold"] == pytest.approx(1 / 6)
    assert spec.pipeline.threshold == pytest.approx(1 / 6)  # the decision inside the model
    assert set(spec.artifacts) == {
        "results/model_results.json",
        "results/holdout.json",
        "explain/background.json",  # the explanation background (credit explain, predict)
        "monitoring/reference.json",
        "data/description.json",  # the data description the run was trained on
        "model/description.json",  # carried by the logged model too (credit_runtime)
        "model/decision.json",
    }
    reference = spec.artifacts["monitoring/reference.json"]
    assert isinstance(reference, dict) and reference["score_source"].startswith("in-sample")
    decision = spec.artifacts["model/decision.json"]
    assert isinstance(decision, dict) and decision["reasons"] == settings.train.reasons == 4
    assert spec.tags["script"] == "credit train"
    assert spec.register_as == "decision_tree"
    assert ("check", ()) in store.calls  # the store is checked before training


def test_a_failed_log_keeps_the_run_in_the_outbox(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TrainingNotLoggedError) as info:
        train(settings, store=DownStore())
    assert info.value.cause.exit_code == 3
    [entry] = entries(outbox_dir(settings))
    record = json.loads((entry / "run.json").read_text())
    assert record["partial_run_id"] == "p1"
    assert record["reason"] == "tracking server at x is unreachable"
    assert info.value.report.results[0].outbox == str(entry)


class GarbledStore(FakeStore):  # answers, but not as MLflow: its "run id" is no run id
    def log_training_run(
        self, spec: RunSpec, *, start_time: int | None = None, end_time: int | None = None
    ) -> TrackedRun:
        raise TrackingError("tracking at x failed: garbled answer", partial_run_id="")


def test_a_run_id_that_is_none_is_not_kept_and_the_entry_syncs(settings) -> None:  # type: ignore[no-untyped-def]
    from credit_mlops.train.outbox_check import check_record

    with pytest.raises(TrainingNotLoggedError):
        train(settings, store=GarbledStore())
    [entry] = entries(outbox_dir(settings))
    record = json.loads((entry / "run.json").read_text())
    assert record["partial_run_id"] is None
    check_record(record)  # what credit sync checks first: taken
    record["partial_run_id"] = ""  # as an earlier credit kept it
    check_record(record)


def test_tracking_disabled_asks_no_store(project: Path, synthetic_file: Path) -> None:
    flags = {**FLAGS, "data": {"path": synthetic_file}, "tracking": {"enabled": False}}
    store = FakeStore()
    report = train(load_settings(None, flags), store=store)
    assert report.results[0].run_id is None
    assert store.calls == []


class ReadOnlyStore(FakeStore):
    def check(self) -> None:
        raise TrackingUnreachableError("the store at x cannot be written")


class TimedRegistryStore(FakeStore):
    def log_training_run(
        self, spec: RunSpec, *, start_time: int | None = None, end_time: int | None = None
    ) -> TrackedRun:
        time.sleep(0.3)  # the registration part of this store's logging
        return replace(super().log_training_run(spec), register_seconds=0.3)


def test_a_store_that_fails_its_check_stops_the_folds(project: Path, synthetic_file: Path) -> None:
    # The folds start before the store is opened (MLflow is imported while they run): a
    # store that fails its check cancels them and fails at once: nothing is logged.
    flags = {"train": {"models": ["random_forest", "svm"], "cv_repeats": 3}}
    settings = load_settings(None, {**flags, "data": {"path": synthetic_file}})
    store = ReadOnlyStore()
    progress: list[str] = []
    with pytest.raises(TrackingUnreachableError, match="cannot be written"):
        train(settings, store=store, progress=lambda key, kind: progress.append(kind))
    assert progress.count("fold") < 30  # cancelled: not all 2 x 15 folds ran
    assert store.runs == {} and store.specs == {}
    assert "fit" not in progress and "log" not in progress


def test_the_stage_split_adds_up_and_names_registering(project: Path, synthetic_file: Path) -> None:
    flags = {"train": {"models": ["decision_tree"], "cv_folds": 2, "cv_repeats": 1}}
    settings = load_settings(None, {**flags, "data": {"path": synthetic_file}})
    start = time.perf_counter()
    report = train(settings, store=TimedRegistryStore())
    wall = time.perf_counter() - start
    timings = report.timings
    assert timings["registering"] == pytest.approx(0.3)  # moved out of logging
    assert timings["logging"] >= 0.0
    stages = {k: v for k, v in timings.items() if k not in ("cv_overlap", "cv_estimate")}
    assert set(stages) == {"import", "data", "store", "cv", "fit", "logging", "registering"}
    assert sum(stages.values()) <= wall
    assert timings["cv_estimate"] > 0 and timings["cv_overlap"] >= 0
