"""Files an output never replaces: a read-only file, a SQLite database, a file of a store's
artifacts or outbox - refused before any work; and a file that is replaced keeps its mode."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from credit_mlops import files
from credit_mlops.errors import InputError


def test_a_read_only_file_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    kept = tmp_path / "kept.csv"
    kept.write_text("mine")
    kept.chmod(0o444)
    with pytest.raises(InputError, match=r"read-only \(mode 444\).*chmod u\+w"):
        files.output_file(kept, setting="--output")
    assert kept.read_text() == "mine" and stat.S_IMODE(kept.stat().st_mode) == 0o444


def test_a_sqlite_database_is_refused_wherever_it_is(tmp_path: Path) -> None:
    db = tmp_path / "anything.csv"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (a)")
    with pytest.raises(InputError, match="a SQLite database"):
        files.output_file(db, setting="--output")


@pytest.mark.parametrize("inside", ["artifacts/1/m/model.skops", "outbox/e/run.json"])
def test_a_file_of_a_stores_own_folders_is_refused(tmp_path: Path, inside: str) -> None:
    store = tmp_path / ".credit"
    store.mkdir()
    (store / "mlflow.db").write_bytes(b"")
    target = store / inside
    target.parent.mkdir(parents=True)
    target.write_text("logged")
    with pytest.raises(InputError, match="a file of the tracking store"):
        files.output_file(target, setting="--output")


def test_outputs_beside_a_store_are_taken(tmp_path: Path) -> None:
    """A project whose root holds plain MLflow's mlflow.db still writes its outputs there."""
    (tmp_path / "mlflow.db").write_bytes(b"")
    (tmp_path / "scored.csv").write_text("old")
    assert files.output_file(tmp_path / "scored.csv", setting="-o") == tmp_path / "scored.csv"
    assert files.output_file(tmp_path / "new.csv", setting="-o") == tmp_path / "new.csv"


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    private = tmp_path / "private.csv"
    private.write_text("old")
    private.chmod(0o600)
    files.write_text(private, "new")
    assert private.read_text() == "new" and stat.S_IMODE(private.stat().st_mode) == 0o600
    fresh = files.write_text(tmp_path / "fresh.csv", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize(
    "inside",
    [
        "mlflow.db.lock",
        "mlflow.db-journal",
        "mlflow.db-wal",
        "mlflow.db-shm",
        "artifacts/new.csv",
        "artifacts/1/new/deep.csv",
        "outbox/new.json",
        "mlruns/0/x.csv",
    ],
)
def test_a_new_path_of_a_store_is_refused(tmp_path: Path, inside: str) -> None:
    """The store's side files and any new file in its own folders: refused, nothing made."""
    store = tmp_path / ".credit"
    (store / "artifacts" / "1").mkdir(parents=True)
    (store / "outbox").mkdir()
    (store / "mlruns" / "0").mkdir(parents=True)
    (store / "mlflow.db").write_bytes(b"")
    target = store / inside
    target.parent.mkdir(parents=True, exist_ok=True)
    with pytest.raises(InputError, match="a file of the tracking store"):
        files.output_file(target, setting="--output")
    assert not target.exists()


def test_an_existing_lock_file_of_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mlflow.db").write_bytes(b"")
    (tmp_path / "mlflow.db.lock").write_bytes(b"")
    with pytest.raises(InputError, match="a file of the tracking store"):
        files.output_file(tmp_path / "mlflow.db.lock", setting="-o")


@pytest.mark.parametrize("inside", ["artifacts", "artifacts/1/new", "outbox", "mlruns/0"])
def test_an_output_folder_in_a_stores_own_folders_is_refused(tmp_path: Path, inside: str) -> None:
    """A folder of results (`report -o`, `--output-dir`) is never written among the store's
    files, whether the folder is new or not; beside the database it is taken."""
    store = tmp_path / ".credit"
    (store / "artifacts" / "1").mkdir(parents=True)
    (store / "mlruns" / "0").mkdir(parents=True)
    (store / "mlflow.db").write_bytes(b"")
    with pytest.raises(InputError, match="a folder of the tracking store"):
        files.output_folder(store / inside, setting="--output-dir")
    assert not (store / "artifacts" / "1" / "new").exists()
    assert files.output_folder(store / "reports", setting="--output-dir") == store / "reports"


def test_an_output_folder_through_a_dangling_link_names_the_link(tmp_path: Path) -> None:
    (tmp_path / "out").symlink_to(tmp_path / "gone")
    with pytest.raises(InputError, match=r"out is a link to .*gone, which does not exist"):
        files.output_folder(tmp_path / "out", setting="--output-dir")
    assert not (tmp_path / "gone").exists()


def _store(tmp_path: Path) -> Path:
    store = tmp_path / "project" / ".credit"
    store.mkdir(parents=True)
    (store / "mlflow.db").write_bytes(b"")
    return store


@pytest.mark.parametrize("name", ["optuna.journal", "server.pid"])
def test_the_store_folders_own_files_and_the_folder_itself_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Its tune journal (known by what it holds), a server's pid file; and the folder as a
    folder of results, unless it is where the user works."""
    store = _store(tmp_path)
    (store / "optuna.journal").write_text('{"op_code":0,"worker_id":"w"}\n')
    monkeypatch.chdir(store.parent)
    with pytest.raises(InputError, match=r"tune studies|a file of the tracking store"):
        files.output_file(store / name, setting="-o")
    with pytest.raises(InputError, match="a folder of the tracking store"):
        files.output_folder(store, setting="--output-dir")
    assert (store / "optuna.journal").read_text().startswith('{"op_code"')
    monkeypatch.chdir(store)
    assert files.output_folder(store, setting="--output-dir") == store


@pytest.mark.parametrize("inside", ["journal/decisions.csv", "tune-workers/seat", "x.workers/a"])
def test_the_journals_and_seats_of_a_store_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    store = _store(tmp_path)
    (store / "x").write_text('{"op_code":0}\n')
    target = store / inside
    target.parent.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=r"a file of the tracking store|tune study journal keep"):
        files.output_file(target, setting="-o")


def test_a_journal_of_tune_studies_is_never_replaced_wherever_it_is(tmp_path: Path) -> None:
    journal = tmp_path / "studies.log"
    journal.write_text('{"op_code":0,"worker_id":"w","study_name":"s"}\n')
    with pytest.raises(InputError, match="is the journal of tune studies"):
        files.output_file(journal, setting="--output")
    seat = tmp_path / "studies.log.workers" / "w1"
    seat.parent.mkdir()
    with pytest.raises(InputError, match="where the workers of a tune study journal keep"):
        files.output_file(seat, setting="--output")


def test_a_folder_of_ones_own_inside_the_store_folder_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert files.output_folder(store / "mine", setting="--output-dir") == store / "mine"
    assert files.output_file(store / "new.csv", setting="-o") == store / "new.csv"
    (store / "reports").mkdir()
    assert (
        files.output_file(store / "reports" / "a.csv", setting="-o") == store / "reports" / "a.csv"
    )


def test_a_store_kept_in_the_working_folder_leaves_its_other_files_to_the_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tracking.store_dir = "." puts mlflow.db in the project: outputs beside it are taken,
    the store's own names still are not."""
    (tmp_path / "mlflow.db").write_bytes(b"")
    (tmp_path / "artifacts").mkdir()
    monkeypatch.chdir(tmp_path)
    assert files.output_file(tmp_path / "scores.csv", setting="-o") == tmp_path / "scores.csv"
    with pytest.raises(InputError, match="a file of the tracking store"):
        files.output_file(tmp_path / "artifacts" / "x.csv", setting="-o")


def test_a_projects_profile_and_what_the_command_read_are_never_replaced(
    project: Path, synthetic_file: Path
) -> None:
    """`data describe` writes TOML: never over a settings profile; and no output replaces
    the profile or the data description the command itself read."""
    from typer.testing import CliRunner

    from credit_mlops.cli.main import app
    from credit_mlops.errors import InputError
    from credit_mlops.kept_files import forget_reads, read_as, refuse_kept

    profile = project / "configs" / "local.toml"
    before = profile.read_bytes()
    argv = ["data", "describe", str(synthetic_file), "--target", "kredit", "--bad", "0"]
    result = CliRunner().invoke(app, [*argv, "-o", str(profile)])
    assert result.exit_code == 2, result.output
    assert "is a settings profile of a project" in result.stderr
    assert profile.read_bytes() == before
    described = project / "mine.toml"
    described.write_text("x")
    read_as(described, "the data description")
    with pytest.raises(InputError, match="is the data description this command read"):
        refuse_kept(project / "." / "mine.toml", described, "--output")
    forget_reads()
    refuse_kept(described, described, "--output")  # the next command read nothing yet
