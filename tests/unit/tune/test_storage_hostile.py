"""A tune storage is named by the user: its folders are never made above the journal, a
sqlite file in a missing folder is a wrong path (exit 2), a damaged journal and a study
record of another type are one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit_mlops.errors import ConfigError
from credit_mlops.tune.journal import check_journal
from credit_mlops.tune.storage import StorageSpec, open_storage, probe


def test_the_folders_above_a_journal_are_never_made(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "deeper" / "j.log"
    with pytest.raises(ConfigError, match="does not exist; make it first") as caught:
        check_journal(path)
    assert caught.value.exit_code == 2
    assert not (tmp_path / "missing").exists()


def test_the_projects_own_credit_folder_is_made(tmp_path: Path) -> None:
    check_journal(tmp_path / ".credit" / "optuna.journal")
    assert (tmp_path / ".credit").is_dir()


def test_a_journal_nested_too_deep_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "j.log"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(
        ConfigError,
        match=r"is not a study journal \(its first line is no journal record: JSON nested deeper",
    ):
        check_journal(path)


def test_a_sqlite_storage_in_a_missing_folder_is_a_wrong_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="does not exist; make it first") as caught:
        probe(StorageSpec("sqlite:///not/here/s.db"))
    assert caught.value.exit_code == 2
    assert "sqlite:////" in str(caught.value)
    probe(StorageSpec("sqlite:///s.db"))  # a folder that exists: fine


def test_a_study_record_of_another_type_is_named_as_foreign(tmp_path: Path) -> None:
    import optuna

    from credit_mlops.tune.study import open_study

    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(tmp_path / "j.log"))
    )
    study = optuna.create_study(storage=storage, study_name="s", direction="maximize")
    study.set_user_attr("folds", 2)
    with pytest.raises(ConfigError, match=r"records folds as 2 \(int\), which credit never"):
        open_study(storage, "s", "maximize", seed=1, attrs={"folds": "2"})


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("postgres", "postgres"),
        ("template0", "template0"),
        ("template1", "template1"),
        ("", "postgres"),  # no name: libpq takes the user's
        ("studies?dbname=template1", "template1"),
    ],
)
def test_postgresqls_own_databases_are_never_a_study_storage(path: str, name: str) -> None:
    """Refused before any connection: Optuna would make its tables there (in template1,
    they would then appear in every database made after), however the URL leads there."""
    spec = StorageSpec(f"postgresql+psycopg://postgres:pw@127.0.0.1:9/{path}")  # no server
    with pytest.raises(ConfigError, match=f"{name} is one of PostgreSQL's own databases") as e:
        probe(spec)
    assert "pw" not in str(e.value)
    with pytest.raises(ConfigError, match="never a study storage"):
        open_storage(spec)


@pytest.mark.parametrize(
    ("table", "said"), [("experiments", "the MLflow tracking store"), ("users", "another app")]
)
def test_a_database_of_something_else_is_refused_and_left_as_it_was(
    tmp_path: Path, table: str, said: str
) -> None:
    import sqlite3

    db = tmp_path / "mlflow.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f"CREATE TABLE {table} (id INTEGER)")
    with pytest.raises(ConfigError, match=f"is {said}.* not a study storage"):
        open_storage(StorageSpec(f"sqlite:///{db}"))
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == [table]


def test_a_new_or_optunas_own_sqlite_storage_is_taken(tmp_path: Path) -> None:
    db = tmp_path / "studies.db"
    open_storage(StorageSpec(f"sqlite:///{db}"))
    open_storage(StorageSpec(f"sqlite:///{db}"))  # now holding Optuna's tables


def sqlite_file(path: Path, *tables: str) -> Path:
    import sqlite3

    conn = sqlite3.connect(path)
    for table in tables:
        conn.execute(f"CREATE TABLE {table} (id INTEGER)")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("tables", "kind"),
    [
        (("experiments", "runs", "metrics"), "it is a SQLite database: the MLflow tracking store"),
        (("studies", "trials"), "it is a SQLite database of Optuna studies: name it as sqlite:///"),
        (("orders",), "it is a SQLite database)"),
    ],
)
def test_a_sqlite_database_is_named_as_no_study_journal(
    tmp_path: Path, tables: tuple[str, ...], kind: str
) -> None:
    db = sqlite_file(tmp_path / "x.db", *tables)
    link = tmp_path / "dblink"
    link.symlink_to(db)
    before = db.read_bytes()
    for path in (db, link):
        with pytest.raises(ConfigError) as caught:
            check_journal(path)
        message = str(caught.value)
        assert caught.value.exit_code == 2 and f"{path} is not a study journal (" in message
        assert kind in message and "head -n" not in message and "damaged" not in message
    if "studies" in tables:
        assert f"sqlite:///{db.resolve()}" in message
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"laufkont laufzeit moral\n1 18 4\n", "a line that is not JSON"),
        (b'{"a": 1}\n', "JSON that is not an Optuna journal record"),
        (b"\xff\xfe\x00binary\n", "bytes that are not UTF-8 text"),
    ],
)
def test_a_file_whose_first_line_is_no_record_is_no_study_journal(
    tmp_path: Path, content: bytes, kind: str
) -> None:
    path = tmp_path / "data.asc"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match="is not a study journal") as caught:
        check_journal(path)
    assert f"its first line is no journal record: {kind}" in str(caught.value)
    assert "head -n" not in str(caught.value)


def test_a_journal_whose_first_record_is_cut_short_is_damaged_not_foreign(
    tmp_path: Path,
) -> None:
    """Its one record was cut short: a journal, damaged; no `head -n 0` advice."""
    path = tmp_path / "j.log"
    path.write_bytes(b'{"op_code": 0, "worker_id": "w", "study_na')
    with pytest.raises(ConfigError, match="damaged at line 1 ") as caught:
        check_journal(path)
    message = str(caught.value)
    assert "head -n" not in message and "move it away" in message
    assert "is not a study journal" not in message


def test_the_head_advice_stays_when_good_lines_lead(tmp_path: Path) -> None:
    path = tmp_path / "j.log"
    path.write_bytes(b'{"op_code": 0, "worker_id": "w"}\n' + b"garbage\n")
    with pytest.raises(ConfigError, match="damaged at line 2 ") as caught:
        check_journal(path)
    assert "head -n 1 FILE > FILE.fixed" in str(caught.value)
