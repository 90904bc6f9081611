"""A tune storage is named by the user: its folders are never made above the journal, a
sqlite file in a missing folder is a wrong path (exit 2), a damaged journal and a study
record of another type are one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit_mlops.errors import ConfigError
from credit_mlops.tune.journal import check_journal
from credit_mlops.tune.storage import StorageSpec, probe


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
    with pytest.raises(ConfigError, match=r"damaged at line 1 \(JSON nested deeper"):
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
