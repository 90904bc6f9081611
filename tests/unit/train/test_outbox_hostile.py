"""A forged outbox entry is refused by `credit sync` in one line naming the entry and the
file, exit 2, before anything reaches the store; the entry stays; a genuine one still syncs.

Each case is a hostile tester's finding: a requirement pointing at a URL (F8), a file of the
entry that is a device, a pipe or a link (F9), names MLflow refuses only after a run exists
(F10), system tags (F12), and a record nested too deep for the JSON parser (F15).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.fake_store import FakeStore
from tests.unit.train.test_outbox_sync import spec

from credit_mlops.train.outbox import entries, write_entry
from credit_mlops.train.sync import SyncResult, sync

REMOVE = "the entry was changed by hand or by another tool: remove it"


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A sync that would read a pipe or /dev/zero for ever fails the test instead."""

    def stuck(signum: int, frame: Any) -> None:
        raise AssertionError("credit sync hung on the entry")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _forge(outbox: Path, **changes: object) -> Path:
    """A genuine entry (as `credit train` keeps it), then its record edited."""
    entry = write_entry(outbox, spec(), experiment="credit-risk", reason="x")
    record = json.loads((entry / "run.json").read_text())
    record.update(changes)
    (entry / "run.json").write_text(json.dumps(record))
    return entry


def _refused(outbox: Path, entry: Path) -> str:
    """Sync the outbox: the entry refused in one line (exit 2), nothing logged, entry kept."""
    store = FakeStore()
    [result] = sync(store, outbox)
    assert (result.status, result.exit_code) == ("failed", 2), result
    assert result.error is not None and "\n" not in result.error
    assert result.error.startswith(f"outbox entry {entry.name}: ")
    assert store.runs == {} and store.models == {}  # no run, no empty registered model
    assert entries(outbox) == [entry]
    return result.error.removeprefix(f"outbox entry {entry.name}: ")


def _synced(outbox: Path) -> SyncResult:
    store = FakeStore()
    [result] = sync(store, outbox)
    assert result.status == "synced", result.error
    assert entries(outbox) == []
    return result


# --- F8: pip_packages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("packages", "error"),
    [
        (
            ["evil-pkg @ https://evil.example/evil-1.0.whl"],
            "run.json: pip_packages holds 'evil-pkg @ https://evil.example/evil-1.0.whl', a "
            f"direct reference to a URL, not the name of a package; {REMOVE}",
        ),
        (
            ["https://evil.example/evil-1.0.whl"],
            "run.json: pip_packages holds 'https://evil.example/evil-1.0.whl', which is not "
            f"the name of a package; {REMOVE}",
        ),
        (
            ["xgboost>=1.0"],
            "run.json: pip_packages holds 'xgboost>=1.0', a requirement with a version, "
            f"extras or markers, not the name of a package; {REMOVE}",
        ),
        (
            ["xgboost\n--index-url https://evil.example"],
            "run.json: pip_packages holds a name with a control character or an invisible "
            f"one; {REMOVE}",
        ),
        (
            ["a" * 10_000],
            f"run.json: pip_packages holds a name of 10,000 characters; the limit is 100; {REMOVE}",
        ),
        ("xgboost", "run.json: 'pip_packages' has the wrong type (str)"),
        ({"xgboost": 1}, "run.json: 'pip_packages' has the wrong type (dict)"),
        ([1], "run.json: 'pip_packages[0]' has the wrong type (int)"),
        ([None], "run.json: 'pip_packages[0]' has the wrong type (NoneType)"),
        (
            ["xgboost"] * 500,
            f"run.json: pip_packages lists 500 packages; the limit is 50; {REMOVE}",
        ),
    ],
)
def test_pip_packages_other_than_package_names_are_refused(
    tmp_path: Path, packages: object, error: str
) -> None:
    entry = _forge(tmp_path, pip_packages=packages)
    assert _refused(tmp_path, entry) == error


def test_a_package_not_installed_here_is_named_before_any_run(tmp_path: Path) -> None:
    entry = _forge(tmp_path, pip_packages=["xgboost", "evil-pkg"])
    assert _refused(tmp_path, entry) == (
        "its model needs the package 'evil-pkg', which is not installed here; install it if "
        "you trust the entry and run credit sync again, or remove the entry"
    )


def test_genuine_pip_packages_and_an_older_entry_without_them_still_sync(tmp_path: Path) -> None:
    _forge(tmp_path / "a")  # ["xgboost"], as credit train writes it
    _synced(tmp_path / "a")
    entry = _forge(tmp_path / "b")
    record = json.loads((entry / "run.json").read_text())
    del record["pip_packages"]  # kept before records carried them
    (entry / "run.json").write_text(json.dumps(record))
    _synced(tmp_path / "b")


# --- F9: files that are not regular files --------------------------------------------------


def _replace_file(entry: Path, name: str, kind: str, outside: Path) -> None:
    target = entry / name
    target.unlink()
    if kind == "dev-zero":
        target.symlink_to("/dev/zero")  # hashing it would never end
    elif kind == "fifo":
        os.mkfifo(target)  # opening it would wait for a writer for ever
    elif kind == "link-outside":  # a link to a file elsewhere, even a genuine copy
        outside.write_bytes(b"laufkont,laufzeit,kredit\n1,6,1\n")
        target.symlink_to(outside)
    elif kind == "dangling-link":
        target.symlink_to(outside / "missing")
    else:
        target.mkdir()


@pytest.mark.parametrize("name", ["model.skops", "dataset.csv"])
@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "link-outside", "dangling-link", "folder"])
def test_a_file_of_the_entry_that_is_not_a_regular_file_is_never_read(
    tmp_path: Path, name: str, kind: str
) -> None:
    outbox = tmp_path / "outbox"
    entry = _forge(outbox)
    _replace_file(entry, name, kind, tmp_path / "elsewhere")
    assert _refused(outbox, entry) == (
        f"{name} is not a regular file (a link, a folder, a pipe or a device); {REMOVE}"
    )


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_files_are_checked_even_when_the_user_trusts_the_entry(tmp_path: Path, kind: str) -> None:
    """An older entry without digests is synced on trust: its files still must be files."""
    outbox = tmp_path / "outbox"
    entry = _forge(outbox)
    record = json.loads((entry / "run.json").read_text())
    del record["digests"]
    (entry / "run.json").write_text(json.dumps(record))
    _replace_file(entry, "dataset.csv", kind, tmp_path / "elsewhere")
    store = FakeStore()
    [result] = sync(store, outbox, trust_code=True)
    assert (result.status, result.exit_code) == ("failed", 2)
    assert result.error == (
        f"outbox entry {entry.name}: dataset.csv is not a regular file (a link, a folder, a "
        f"pipe or a device); {REMOVE}"
    )
    assert store.runs == {} and entries(outbox) == [entry]


def test_a_digest_of_a_file_credit_never_writes_is_refused(tmp_path: Path) -> None:
    entry = _forge(tmp_path)
    record = json.loads((entry / "run.json").read_text())
    record["digests"]["../../etc/passwd"] = "0" * 64
    (entry / "run.json").write_text(json.dumps(record))
    assert _refused(tmp_path, entry) == (
        f"run.json: its digests name '../../etc/passwd', not a file credit train keeps; {REMOVE}"
    )


def test_an_entry_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    real = _forge(tmp_path / "elsewhere")
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    link = outbox / real.name
    link.symlink_to(real, target_is_directory=True)
    store = FakeStore()
    [result] = sync(store, outbox)
    assert (result.status, result.exit_code) == ("failed", 2)
    assert result.error == (
        f"outbox entry {real.name}: the entry is a link to another folder, not a folder "
        f"credit train wrote; {REMOVE}"
    )
    assert store.runs == {} and link.is_symlink() and real.is_dir()


# --- F10: names and values MLflow refuses only once a run exists ---------------------------

NAME_RULE = (
    "use 1-250 letters, digits, '_', '-', '.', ' ', ':' or '/', with no '..', '.' or empty "
    "steps and no leading '/'"
)


def _invalid(what: str, shown: str) -> str:
    return f"run.json: {what} name {shown} is not valid; {NAME_RULE}"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"params": {"bad\nkey": "1"}}, _invalid("param", "'bad\\nkey'")),
        ({"params": {"a/../b": "1"}}, _invalid("param", "'a/../b'")),
        ({"params": {"..": "1"}}, _invalid("param", "'..'")),
        ({"params": {"/abs": "1"}}, _invalid("param", "'/abs'")),
        ({"params": {"a//b": "1"}}, _invalid("param", "'a//b'")),
        ({"params": {"": "1"}}, _invalid("param", "''")),
        ({"params": {"x;y": "1"}}, _invalid("param", "'x;y'")),
        (
            {"params": {"p" * 251: "1"}},
            _invalid("param", f"'{'p' * 60}'..."),
        ),
        ({"metrics": {"auc\x00": 0.5}}, _invalid("metric", "'auc\\x00'")),
        ({"metrics": {"../auc": 0.5}}, _invalid("metric", "'../auc'")),
        (
            {"metrics": {"auc": float("inf")}},
            "run.json: metric 'auc' is inf, not a number MLflow keeps; " + REMOVE,
        ),
        (
            {"metrics": {"auc": 10**400}},
            "run.json: metric 'auc' is too large for a float, not a number MLflow keeps; " + REMOVE,
        ),
        ({"metrics": {"auc": True}}, "run.json: 'metrics.auc' has the wrong type (bool)"),
        ({"tags": {"a/../b": "x"}}, _invalid("tag", "'a/../b'")),
        ({"tags": {"/x": "x"}}, _invalid("tag", "'/x'")),
        (
            {"version_tags": {"bad key\t": "x"}},
            _invalid("version tag", "'bad key\\t'"),
        ),
        (
            {"version_tags": {"../x": "x"}},
            _invalid("version tag", "'../x'"),
        ),
        (
            {"version_tags": {"k": "v" * 100_001}},
            "run.json: version tag 'k' is 100,001 characters long; the limit is 100,000; " + REMOVE,
        ),
        (
            {"version_tags": {"mlflow.prompt.is_prompt": "true"}},
            "run.json: version tag 'mlflow.prompt.is_prompt' is one MLflow or credit sets "
            f"itself, never in an entry credit train writes; {REMOVE}",
        ),
        ({"version_tags": {"k": 1}}, "run.json: 'version_tags.k' has the wrong type (int)"),
        (
            {"dataset_name": "d" * 501},
            "run.json: 'dataset_name' is 501 characters long; the limit is 500; " + REMOVE,
        ),
        (
            {"dataset_source": "s" * 70_000},
            "run.json: 'dataset_source' is 70,000 characters long; the limit is 10,000; " + REMOVE,
        ),
    ],
)
def test_names_the_store_would_refuse_are_refused_before_any_run(
    tmp_path: Path, changes: dict[str, object], error: str
) -> None:
    entry = _forge(tmp_path, **changes)
    assert _refused(tmp_path, entry) == error


def test_a_bad_version_tag_leaves_no_empty_registered_model(tmp_path: Path) -> None:
    """Checked up front: the run is not logged, and no registered model is created."""
    entry = _forge(tmp_path, version_tags={"a//b": "x"})
    _refused(tmp_path, entry)
    _refused(tmp_path, entry)  # every retry: still nothing in the store


def test_names_mlflow_accepts_still_sync(tmp_path: Path) -> None:
    """Names credit writes and MLflow takes (colons, spaces, slashes, non-ASCII letters) and
    a metric credit may write as NaN (a fold that failed) are kept."""
    _forge(
        tmp_path,
        params={"model__C": "1.0", "smote__k_neighbors": "5", "a b/c:d": "x", "größe": "1"},
        metrics={"roc_auc_test_mean": float("nan"), "n": 3, "decision_threshold": 0.16},
        version_tags={"model_version": "0.1.0", "model_key": "logistic_regression"},
    )
    result = _synced(tmp_path)
    assert result.registered == "logistic_regression v1"


# --- F12: system tags ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "mlflow.user",
        "mlflow.source.name",
        "mlflow.runName",
        "MLflow.parentRunId",
        "credit.sync_complete",  # would mark a half-uploaded run as complete
        "credit.kind",  # would hide the run from comparisons
    ],
)
def test_system_tags_in_an_entry_are_refused(tmp_path: Path, key: str) -> None:
    tags = {**spec().tags, key: "forged"}
    entry = _forge(tmp_path, tags=tags)
    assert _refused(tmp_path, entry) == (
        f"run.json: tag {key!r} is one MLflow or credit sets itself, never in an entry "
        f"credit train writes; {REMOVE}"
    )


def test_the_tags_credit_train_writes_still_sync(tmp_path: Path) -> None:
    """Every tag `train.spec.tags` writes, the tool's reserved ones included, and a user's."""
    from credit_mlops.names import RESERVED_TAGS
    from credit_mlops.tracking.tags import PROCESS_TAG

    tags = {name: "x" for name in RESERVED_TAGS}
    tags.update({PROCESS_TAG: "somehost-1", "project": "p", "team": "t", "engine": "spark"})
    tags["owner"] = "me"  # a --mlflow-tags tag
    original = replace(spec(), tags=tags)
    write_entry(tmp_path, original, experiment="credit-risk", reason="x")
    result = _synced(tmp_path)
    assert result.run_id is not None


# --- F15: a record nested too deep ---------------------------------------------------------


def test_a_record_nested_too_deep_is_one_line(tmp_path: Path) -> None:
    entry = _forge(tmp_path)
    (entry / "run.json").write_text("[" * 100_000 + "]" * 100_000)
    assert _refused(tmp_path, entry) == (
        "run.json is unreadable: it is not JSON the tool wrote (nested too deep); remove the entry"
    )


def test_a_record_holding_a_number_of_thousands_of_digits_is_one_line(tmp_path: Path) -> None:
    entry = _forge(tmp_path)
    text = (entry / "run.json").read_text()
    record = json.loads(text)
    (entry / "run.json").write_text(text.replace(json.dumps(record["created"]), "9" * 5000, 1))
    error = _refused(tmp_path, entry)
    assert error.startswith("run.json is unreadable: it is not valid JSON (Exceeds the limit")


def test_a_created_time_too_large_for_a_float_is_one_line(tmp_path: Path) -> None:
    entry = _forge(tmp_path, created=10**400)
    assert _refused(tmp_path, entry).startswith("run.json: 'created' (1000000")


# --- a genuine entry, as `credit train` keeps it, still syncs ------------------------------


@pytest.mark.slow
def test_an_entry_kept_by_credit_train_still_syncs(project: Path, synthetic_file: Path) -> None:
    from credit_mlops.config.loader import load_settings
    from credit_mlops.errors import TrackingUnreachableError
    from credit_mlops.tracking.records import RunSpec, TrackedRun
    from credit_mlops.train.outbox import outbox_dir
    from credit_mlops.train.train import TrainingNotLoggedError, train

    class DownStore(FakeStore):
        def log_training_run(
            self, spec: RunSpec, *, start_time: int | None = None, end_time: int | None = None
        ) -> TrackedRun:
            raise TrackingUnreachableError("tracking server at x is unreachable")

    flags = {
        "train": {"models": ["decision_tree"], "evaluate": False, "cv_folds": 2, "cv_repeats": 1},
        "tracking": {"tags": {"owner": "me"}},
        "data": {"path": synthetic_file},
    }
    settings = load_settings(None, flags)
    with pytest.raises(TrainingNotLoggedError):
        train(settings, store=DownStore())
    outbox = outbox_dir(settings)
    [entry] = entries(outbox)
    store = FakeStore()
    [result] = sync(store, outbox)
    assert result.status == "synced", result.error
    assert store.runs[str(result.run_id)].tags["owner"] == "me"
    assert result.registered == "decision_tree v1"
    assert not entry.exists()


@pytest.mark.slow
def test_credit_sync_refuses_forged_entries_in_one_line_each_and_syncs_the_rest(
    store: Path,
) -> None:
    """In a real process: each forged entry is one line and stays, exit 2, no traceback; the
    genuine one beside them is synced."""
    import sqlite3

    from tests.conftest import credit

    outbox = store / "outbox"
    deep = _forge(outbox)
    (deep / "run.json").write_text("[" * 100_000 + "]" * 100_000)
    forged = [
        deep,
        _forge(outbox, pip_packages=["evil-pkg @ https://evil.example/evil-1.0.whl"]),
        _forge(outbox, tags={**spec().tags, "mlflow.user": "someone else"}),
        _forge(outbox, version_tags={"a/../b": "x"}),
    ]
    genuine = write_entry(outbox, spec(), experiment="credit-risk", reason="t")
    result = credit(["sync"], store.parent)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().splitlines()  # one line per entry
    for entry in forged:
        assert sum(f"outbox entry {entry.name}: run.json" in line for line in lines) == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("error: 4 of 5 outbox entries could not be synced")
    )
    assert sorted(entries(outbox)) == sorted(forged) and not genuine.exists()
    with sqlite3.connect(store / "mlflow.db") as con:
        statuses = [s for (s,) in con.execute("select status from runs")]
    assert statuses == ["FINISHED"]  # the genuine entry's run; no FAILED one


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda r: r["metrics"].update(roc_auc_test_mean=7.5), "which no score gives (0 to 1)"),
        (lambda r: r["metrics"].update(f1_holdout=-0.2), "which no score gives (0 to 1)"),
        (lambda r: r["version_tags"].update(model_key="xgboost"), "names two model kinds"),
    ],
)
def test_values_no_training_writes_are_refused_before_the_store(
    tmp_path: Path, edit: Any, said: str
) -> None:
    """A score outside 0..1, or a version tagged as another kind than the run: the entry was
    edited; it would rank first in compare, or be registered as what it is not."""
    import json

    entry = write_entry(tmp_path, spec(), experiment="credit-risk", reason="x")
    record = json.loads((entry / "run.json").read_text())
    edit(record)
    (entry / "run.json").write_text(json.dumps(record))
    store = FakeStore()
    [result] = sync(store, tmp_path)
    assert (result.status, result.exit_code) == ("failed", 2)
    assert result.error is not None and said in result.error
    assert store.runs == {}
