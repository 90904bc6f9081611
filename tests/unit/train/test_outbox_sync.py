"""The outbox entry format, and `credit sync` against the in-memory fake of the facade."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from tests.fake_store import FakeStore

from credit_mlops.tracking.records import RunSpec
from credit_mlops.train.outbox import (
    COMPLETE_TAG,
    OUTBOX_TAG,
    SYNCED_TAG,
    entries,
    entry_record,
    read_spec,
    write_entry,
)
from credit_mlops.train.sync import sync


def spec(register_as: str | None = "logistic_regression") -> RunSpec:
    X = pd.DataFrame({"laufkont": [1, 2, 3, 4], "laufzeit": [6, 12, 24, 48]})
    y = [0, 1, 0, 1]
    pipeline = Pipeline([("model", LogisticRegression())]).fit(X, y)
    return RunSpec(
        run_name="train_logistic_regression_20261128_120000",
        params={"model_key": "logistic_regression", "cv_folds": 5, "smote__used": True},
        metrics={"roc_auc_test_mean": 0.75},
        tags={"model_name": "logistic_regression", "profile": "remote"},
        pipeline=pipeline,
        input_example=X.head(2),
        dataset=X.assign(kredit=[1, 0, 1, 0]),
        dataset_source="/data/SouthGermanCredit.asc",
        dataset_name="south-german-credit",
        artifacts={"results/holdout.json": {"test_rows": [1, 2], "data_digest": "d"}},
        register_as=register_as,
        version_tags={"model_version": "0.1.0", "model_key": "logistic_regression"},
        pip_packages=("xgboost",),
    )


def test_entry_record_holds_everything_but_model_and_frame() -> None:
    record = entry_record(
        spec(), experiment="credit-risk", reason="unreachable", created=12.5, entry_id="e1"
    )
    assert record == {
        "id": "e1",
        "partial_run_id": None,
        "store": None,
        "experiment": "credit-risk",
        "run_name": "train_logistic_regression_20261128_120000",
        "created": 12.5,
        "reason": "unreachable",
        "params": {"model_key": "logistic_regression", "cv_folds": "5", "smote__used": "True"},
        "metrics": {"roc_auc_test_mean": 0.75},
        "tags": {"model_name": "logistic_regression", "profile": "remote"},
        "artifacts": {"results/holdout.json": {"test_rows": [1, 2], "data_digest": "d"}},
        "dataset_source": "/data/SouthGermanCredit.asc",
        "dataset_name": "south-german-credit",
        "register_as": "logistic_regression",
        "version_tags": {"model_version": "0.1.0", "model_key": "logistic_regression"},
        "pip_packages": ["xgboost"],  # credit sync logs the model with what it needs
    }
    json.dumps(record)  # what run.json holds must be JSON


def test_an_entry_reads_back_as_the_run_it_was(tmp_path: Path) -> None:
    original = spec()
    entry = write_entry(
        tmp_path, original, experiment="credit-risk", reason="gone", partial_run_id="p1"
    )
    assert entries(tmp_path) == [entry]
    assert sorted(p.name for p in entry.iterdir()) == ["dataset.csv", "model.skops", "run.json"]
    record = json.loads((entry / "run.json").read_text())
    assert record["partial_run_id"] == "p1"
    again = read_spec(entry, record)
    assert again.tags[OUTBOX_TAG] == record["id"]
    assert again.tags[SYNCED_TAG] == "true"
    assert again.tags["credit.synced_reason"] == "gone"
    assert again.register_as is None  # registered only once the run is complete
    assert list(again.pip_packages) == ["xgboost"]
    del record["pip_packages"]  # an entry kept before records carried them: the kind's own
    assert read_spec(entry, record).pip_packages == ()
    assert list(again.input_example.columns) == ["laufkont", "laufzeit"]
    proba = again.pipeline.predict_proba(original.input_example)
    assert proba.tolist() == original.pipeline.predict_proba(original.input_example).tolist()


def test_sync_uploads_registers_and_is_idempotent(tmp_path: Path) -> None:
    store = FakeStore()
    partial = store.add_run(status="RUNNING")
    write_entry(
        tmp_path, spec(), experiment="credit-risk", reason="x", partial_run_id=partial.run_id
    )
    first = sync(store, tmp_path)
    assert [(r.status, r.registered) for r in first] == [("synced", "logistic_regression v1")]
    assert entries(tmp_path) == []
    run = store.runs[first[0].run_id]
    assert run.tags[COMPLETE_TAG] == "true"
    assert store.runs[partial.run_id].status == "FAILED"  # the half-logged run is ended
    assert store.runs[partial.run_id].tags["credit.superseded_by"] == "outbox sync"
    assert sync(store, tmp_path) == []


def test_an_entry_already_complete_is_not_uploaded_twice(tmp_path: Path) -> None:
    store = FakeStore()
    entry = write_entry(tmp_path, spec(), experiment="credit-risk", reason="x")
    record = json.loads((entry / "run.json").read_text())
    done = store.add_run(tags={OUTBOX_TAG: record["id"], COMPLETE_TAG: "true"})
    half = store.add_run(tags={OUTBOX_TAG: record["id"]})
    [result] = sync(store, tmp_path)
    assert (result.status, result.run_id) == ("already synced", done.run_id)
    assert half.run_id not in store.runs  # a half-done earlier sync is deleted
    assert result.registered == "logistic_regression v1"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("{not json", "run.json is unreadable"),
        ('{"run_name": "r"}', "lacks 'id'"),
        ("", "run.json is unreadable"),
        ("[1, 2]", "not a JSON object"),
        ("null", "not a JSON object"),
        ("\ufeff{}", "run.json is unreadable"),
    ],
)
def test_broken_entries_fail_with_exit_2_and_stay(tmp_path: Path, content: str, error: str) -> None:
    entry = tmp_path / "20261128_000000_r"
    entry.mkdir()
    (entry / "run.json").write_text(content)
    [result] = sync(FakeStore(), tmp_path)
    assert result.status == "failed"
    assert result.exit_code == 2
    assert result.error is not None and error in result.error
    assert result.error.startswith("outbox entry 20261128_000000_r: ")
    assert entries(tmp_path) == [entry]


def _entry(tmp_path: Path, **changes: object) -> Path:
    entry = write_entry(tmp_path, spec(), experiment="credit-risk", reason="x")
    record = json.loads((entry / "run.json").read_text())
    record.update(changes)
    (entry / "run.json").write_text(json.dumps(record))
    return entry


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"id": "../../x"}, "is not an outbox id"),
        ({"experiment": ""}, "experiment name is empty"),
        ({"experiment": 3}, "'experiment' has the wrong type (int)"),
        ({"run_name": "a\n# b"}, "control character"),
        ({"register_as": "a:b"}, "contains ':'"),
        ({"created": "yesterday"}, "'created' has the wrong type"),
        ({"created": True}, "'created' has the wrong type (bool)"),
        ({"metrics": {"auc": "high"}}, "'metrics.auc' has the wrong type"),
        ({"tags": {"x": 1}}, "'tags.x' has the wrong type"),
        ({"partial_run_id": "../r"}, "is not a run id"),
        ({"digests": {"model.skops": "nope"}}, "not sha256 digests"),
        ({"digests": {}}, "no digest of model.skops"),
        ({"artifacts": {"../../../escaped.json": {}}}, "is not a plain relative path"),
        ({"artifacts": {"/tmp/absolute.json": {}}}, "is not a plain relative path"),
        ({"artifacts": {"results/../../up.json": {}}}, "is not a plain relative path"),
        ({"artifacts": {"a\\..\\b.json": {}}}, "is not a plain relative path"),
        ({"artifacts": {".hidden/x.json": {}}}, "is not a plain relative path"),
        ({"artifacts": {"": {}}}, "is not a plain relative path"),
    ],
)
def test_a_foreign_or_edited_record_is_refused_in_one_line(
    tmp_path: Path, changes: dict[str, object], error: str
) -> None:
    entry = _entry(tmp_path, **changes)
    store = FakeStore()
    [result] = sync(store, tmp_path)
    assert (result.status, result.exit_code) == ("failed", 2)
    assert result.error is not None and error in result.error
    assert "\n" not in result.error
    assert store.runs == {}  # nothing logged
    assert entries(tmp_path) == [entry]  # kept for the user to look at


@pytest.mark.parametrize("name", ["model.skops", "dataset.csv"])
@pytest.mark.parametrize("damage", ["truncate", "replace", "remove"])
def test_a_changed_model_or_data_file_is_never_loaded(
    tmp_path: Path, name: str, damage: str
) -> None:
    import joblib

    entry = _entry(tmp_path)
    target = entry / name
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:10])
    elif damage == "replace":  # a different, valid pickle: still refused, never unpickled
        joblib.dump({"not": "ours"}, target)
    else:
        target.unlink()
    store = FakeStore()
    [result] = sync(store, tmp_path)
    assert (result.status, result.exit_code) == ("failed", 2)
    assert result.error is not None and name in result.error
    assert store.runs == {}


def test_sync_logs_to_the_experiment_the_entry_records(tmp_path: Path) -> None:
    write_entry(tmp_path, spec(), experiment="team-a", reason="x")
    store = FakeStore(experiment="credit-risk")  # the current settings name another one
    [result] = sync(store, tmp_path)
    assert result.status == "synced"
    assert store.logged_in == {result.run_id: "team-a"}
    run = store.runs[str(result.run_id)]
    assert run.run_name == "train_logistic_regression_20261128_120000"
    assert run.tags["profile"] == "remote"  # the entry's tags, not today's settings


def test_sync_goes_to_the_store_the_entry_was_kept_for(tmp_path: Path) -> None:
    """An entry kept while training against one store is never uploaded into another: it
    stays, and the line names the store and the command that syncs it there."""
    kept_for = "postgresql://127.0.0.1:5432/team"
    write_entry(tmp_path, spec(), experiment="credit-risk", reason="x", store=kept_for)
    store = FakeStore()  # the settings now name another store
    [result] = sync(store, tmp_path)
    assert (result.status, result.exit_code) == ("failed", 2)
    assert result.error is not None and f"credit sync --mlflow-uri {kept_for}" in result.error
    assert store.runs == {} and len(entries(tmp_path)) == 1
    [done] = sync(FakeStore(shown_uri=kept_for), tmp_path)
    assert done.status == "synced" and entries(tmp_path) == []


@pytest.mark.parametrize(
    "run_name", ["/../../../x", "team/run1", "..", "a\\b", "ünï cødé", "", ".hidden", "x" * 300]
)
def test_a_run_name_never_chooses_the_entry_folder(tmp_path: Path, run_name: str) -> None:
    from dataclasses import replace

    outbox = tmp_path / "outbox"
    entry = write_entry(outbox, replace(spec(), run_name=run_name), experiment="e", reason="x")
    assert entry.parent == outbox  # one level, inside the outbox
    assert not entry.name.startswith(".")
    assert entries(outbox) == [entry]  # credit sync sees it
    assert json.loads((entry / "run.json").read_text())["run_name"] == run_name


def test_sync_ends_runs_whose_credit_process_is_gone(tmp_path: Path) -> None:
    """A run left RUNNING by a `credit` process of this host that no longer exists is ended
    as FAILED; one whose process lives, one of another host and one without the tag stay."""
    import socket
    import subprocess

    from credit_mlops.processes.identity import this_process
    from credit_mlops.tracking.orphans import PROCESS_TAG

    finished = subprocess.Popen(["true"])  # a finished child: its pid names no process now
    finished.wait()
    host = socket.gethostname()
    store = FakeStore()
    orphan = store.add_run(status="RUNNING", tags={PROCESS_TAG: f"{host}-{finished.pid}"})
    mine = store.add_run(status="RUNNING", tags={PROCESS_TAG: this_process()})
    elsewhere = store.add_run(status="RUNNING", tags={PROCESS_TAG: f"other-host-{finished.pid}"})
    untagged = store.add_run(status="RUNNING")
    [result] = sync(store, tmp_path)
    assert (result.status, result.run_id) == ("ended", orphan.run_id)
    assert store.runs[orphan.run_id].status == "FAILED"
    assert f"{host}-{finished.pid}" in store.runs[orphan.run_id].tags["credit.ended_by"]
    for run in (mine, elsewhere, untagged):
        assert store.runs[run.run_id].status == "RUNNING"


def test_a_synced_run_names_the_syncing_process(tmp_path: Path) -> None:
    """While sync logs an entry its run is RUNNING: it must not look like an orphan of the
    process that trained it (gone by now) to a second `credit sync`."""
    from credit_mlops.processes.identity import this_process
    from credit_mlops.tracking.orphans import PROCESS_TAG

    original = spec()
    original.tags[PROCESS_TAG] = "somehost-1"  # type: ignore[index]
    entry = write_entry(tmp_path, original, experiment="credit-risk", reason="x")
    record = json.loads((entry / "run.json").read_text())
    assert record["tags"][PROCESS_TAG] == "somehost-1"
    assert read_spec(entry, record).tags[PROCESS_TAG] == this_process()


def test_an_entry_from_before_digests_is_synced_only_on_trust(tmp_path: Path) -> None:
    """An entry kept by an older credit has no digests: its files cannot be checked, so it
    is refused in one line naming the setting, kept, and synced once the user trusts it."""
    entry = _entry(tmp_path)
    record = json.loads((entry / "run.json").read_text())
    del record["digests"]
    (entry / "run.json").write_text(json.dumps(record))
    store = FakeStore()
    [refused] = sync(store, tmp_path)
    assert (refused.status, refused.exit_code) == ("failed", 2)
    assert refused.error is not None and "tracking.trust_models_that_run_code" in refused.error
    assert "no digest of model.skops" in refused.error and "\n" not in refused.error
    assert store.runs == {} and entries(tmp_path) == [entry]
    [synced] = sync(store, tmp_path, trust_code=True)
    assert synced.status == "synced" and entries(tmp_path) == []


def test_one_rule_ends_every_kind_of_run_whose_process_is_gone(tmp_path: Path) -> None:
    """Sync and the next tune worker share the rule: a training run ends FAILED, a tune
    parent KILLED (also one tagged the older way, by its worker); the next worker on a
    study touches its own study's parents only."""
    import socket
    import subprocess

    from credit_mlops.tracking.orphans import end_orphans
    from credit_mlops.tracking.tags import KIND_TAG, PROCESS_TAG, TUNE_KIND, WORKER_TAG

    finished = subprocess.Popen(["true"])
    finished.wait()
    dead = f"{socket.gethostname()}-{finished.pid}"
    store = FakeStore()
    train = store.add_run(status="RUNNING", tags={PROCESS_TAG: dead})
    tune_a = store.add_run(
        status="RUNNING", tags={PROCESS_TAG: dead, KIND_TAG: TUNE_KIND, "optuna.study": "a"}
    )
    tune_old = store.add_run(
        status="RUNNING", tags={WORKER_TAG: dead, KIND_TAG: TUNE_KIND, "optuna.study": "b"}
    )

    def study_a(run: Any) -> bool:
        return run.tags.get("optuna.study") == "a"

    [first] = end_orphans(store, by="the next worker", only=study_a)
    assert first.run_id == tune_a.run_id and "KILLED" in first.note
    assert store.runs[tune_a.run_id].status == "KILLED"
    assert store.runs[train.run_id].status == "RUNNING"  # not the study's: left alone

    results = {r.run_id: r for r in sync(store, tmp_path)}
    assert set(results) == {train.run_id, tune_old.run_id}
    assert store.runs[train.run_id].status == "FAILED"
    assert store.runs[tune_old.run_id].status == "KILLED"
    assert "credit sync" in store.runs[tune_old.run_id].tags["credit.ended_by"]
    assert end_orphans(store, by="anyone") == []  # nothing is ended twice


def test_a_pickled_model_runs_only_on_trust_even_with_matching_digests(tmp_path: Path) -> None:
    """A forged entry can write the digests of its own files beside them, so they prove
    nothing: a model kept as a pickle is refused (its code never runs) unless the user
    trusts the folder; a skops model holding a type the tool does not keep is refused even
    then, and its payload never runs."""
    import hashlib

    import joblib

    from credit_mlops.train.outbox_check import MODEL

    ran = tmp_path / "ran"
    payload = _Payload(str(ran))
    entry = _entry(tmp_path / "box")
    record = json.loads((entry / "run.json").read_text())
    (entry / MODEL).unlink()
    joblib.dump(payload, entry / "model.joblib")
    digests = record["digests"]
    del digests[MODEL]
    digests["model.joblib"] = hashlib.sha256((entry / "model.joblib").read_bytes()).hexdigest()
    (entry / "run.json").write_text(json.dumps(record))
    store = FakeStore()
    [refused] = sync(store, tmp_path / "box")
    assert (refused.status, refused.exit_code) == ("failed", 2)
    assert refused.error is not None and "pickle" in refused.error
    assert not ran.exists() and store.runs == {}

    import skops.io

    forged = _entry(tmp_path / "box2")
    record = json.loads((forged / "run.json").read_text())
    skops.io.dump(payload, forged / MODEL)
    record["digests"][MODEL] = hashlib.sha256((forged / MODEL).read_bytes()).hexdigest()
    (forged / "run.json").write_text(json.dumps(record))
    [refused] = sync(store, tmp_path / "box2", trust_code=True)
    assert (refused.status, refused.exit_code) == ("failed", 2)
    assert refused.error is not None and "does not trust" in refused.error
    assert not ran.exists() and store.runs == {}


class _Payload:
    """An object whose loading would leave a file behind (a stand-in for any code)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        import pathlib

        return (pathlib.Path.write_text, (pathlib.Path(self.path), "ran"))


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"created": 1e300}, "not a time"),
        ({"created": -5}, "not a time"),
        ({"created": float("inf")}, "not a time"),
        ({"tags": {"bad\nkey": "x"}}, "tag name"),
        ({"tags": {"k": "v" * 20_000}}, "limit is 8000"),
    ],
)
def test_record_values_the_store_would_refuse_are_caught_before_it(
    tmp_path: Path, changes: dict[str, object], error: str
) -> None:
    entry = _entry(tmp_path, **changes)
    store = FakeStore()
    [refused] = sync(store, tmp_path)
    assert (refused.status, refused.exit_code) == ("failed", 2)
    assert refused.error is not None and error in refused.error
    assert store.runs == {} and entries(tmp_path) == [entry]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_record_that_is_not_a_regular_file_is_named_not_skipped(
    tmp_path: Path, kind: str
) -> None:
    import os

    entry = _entry(tmp_path)
    record = entry / "run.json"
    record.unlink()
    if kind == "fifo":
        os.mkfifo(record)  # reading it would wait for a writer for ever
    elif kind == "device":
        record.symlink_to("/dev/zero")  # reading it would never end
    else:
        record.mkdir()
    [refused] = sync(FakeStore(), tmp_path)
    assert (refused.status, refused.exit_code) == ("failed", 2)
    assert refused.error is not None and "not a regular file" in refused.error
    assert entries(tmp_path) == [entry]


def test_what_sync_loads_is_the_bytes_it_checked(tmp_path: Path, monkeypatch: Any) -> None:
    """A model or data file swapped between the check and the load is never read: the load
    takes the very bytes whose digests were checked."""
    import joblib

    from credit_mlops.train import sync as sync_module

    entry = _entry(tmp_path)
    checked = sync_module.check_entry

    def check_then_swap(*args: Any, **kwargs: Any) -> dict[str, bytes]:
        files = checked(*args, **kwargs)
        joblib.dump({"swapped": True}, entry / "model.skops")  # after the check
        pd.DataFrame({"other": [9]}).to_csv(entry / "dataset.csv", index=False)
        return files

    monkeypatch.setattr(sync_module, "check_entry", check_then_swap)
    store = FakeStore()
    [result] = sync(store, tmp_path)
    assert result.status == "synced", result.error
    logged = store.specs[result.run_id]
    assert isinstance(logged.pipeline, Pipeline)
    assert list(logged.dataset.columns) == ["laufkont", "laufzeit", "kredit"]


def test_an_entry_that_cannot_be_removed_is_still_synced_and_said(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """The upload stands when the folder cannot be removed afterwards (busy, read-only):
    no traceback, the result says to remove it, and a later sync uploads nothing twice."""
    from credit_mlops.train import sync as sync_module

    entry = _entry(tmp_path)

    def busy(path: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(16, "Device or resource busy", str(path))

    monkeypatch.setattr(sync_module.shutil, "rmtree", busy)
    store = FakeStore()
    [result] = sync(store, tmp_path)
    assert result.status == "synced"
    assert result.error is not None and "could not be removed (Device or resource busy)" in (
        result.error
    )
    assert str(entry) in result.error
    assert len(store.runs) == 1
    assert sync(store, tmp_path) == []  # the record went first: nothing left to upload
