"""The one tracking-URI parser and the sqlite store lock/probe."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from credit_mlops.errors import ConfigError, InputError
from credit_mlops.tracking.store_lock import probe_sqlite, store_lock
from credit_mlops.tracking.uri import check_store_folder, parse, source_label


@pytest.mark.parametrize(
    ("uri", "kind"),
    [
        ("http://127.0.0.1:5000", "server"),
        ("https://alice@mlflow.example/", "server"),
        ("sqlite:////tmp/x/mlflow.db", "sqlite"),
        ("sqlite:///relative/mlflow.db", "sqlite"),
        ("sqlite:///file:/tmp/x/mlflow.db?mode=ro&uri=true", "sqlite"),
        ("postgresql+psycopg://u@db:5432/mlflow", "database"),
        ("mysql://db/mlflow", "database"),
        ("databricks", "databricks"),
        ("databricks://profile", "databricks"),
    ],
)
def test_usable_uris(uri: str, kind: str) -> None:
    assert parse(uri, source="X").kind == kind


def test_sqlite_paths() -> None:
    assert parse("sqlite:////tmp/x/m.db", source="X").sqlite_path == Path("/tmp/x/m.db")
    ro = parse("sqlite:///file:/tmp/x/m.db?mode=ro&uri=true", source="X")
    assert ro.sqlite_path == Path("/tmp/x/m.db") and ro.sqlite_uri_mode


@pytest.mark.parametrize(
    ("uri", "needle"),
    [
        ("foo://bar", "scheme 'foo'"),
        ("", "empty"),
        ("mlflow.db", "no scheme"),
        ("http://", "no host"),
        ("https:///path", "no host"),
        ("http://host:notaport", "malformed"),
        ("sqlite://", "no database path"),
        ("sqlite:///", "no database path"),
        ("postgresql://db.internal:5432", "no database"),
        ("postgresql:///mlflow", "no host"),
        ("s3://bucket/x", "scheme 's3'"),
    ],
)
def test_unusable_uris_name_the_source(uri: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        parse(uri, source="MLFLOW_TRACKING_URI")
    assert str(info.value).startswith("MLFLOW_TRACKING_URI: ")
    assert needle in str(info.value)


def test_a_password_never_reaches_the_message() -> None:
    with pytest.raises(InputError) as info:
        parse("foo://alice:pw-123@host/x", source="--mlflow-uri")
    assert "pw-123" not in str(info.value) and "alice" not in str(info.value)


def test_source_labels() -> None:
    assert source_label("flag") == "--mlflow-uri"
    assert source_label("env MLFLOW_TRACKING_URI") == "MLFLOW_TRACKING_URI"
    assert source_label("configs/remote.toml") == "configs/remote.toml: key 'tracking.uri'"
    with pytest.raises(ConfigError):
        parse("foo://x", source=source_label("configs/remote.toml"))


def test_only_the_default_store_folder_is_created(tmp_path: Path) -> None:
    default = tmp_path / ".credit"
    parsed = parse(f"sqlite:///{default / 'mlflow.db'}", source="X")
    check_store_folder(parsed, source="X", default_folder=default)
    assert default.is_dir()
    elsewhere = parse(f"sqlite:///{tmp_path / 'a' / 'b' / 'mlflow.db'}", source="X")
    with pytest.raises(InputError, match="does not exist"):
        check_store_folder(elsewhere, source="X", default_folder=default)
    assert not (tmp_path / "a").exists()


def test_probe_sees_a_read_only_store_and_leaves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    assert probe_sqlite(db) is None
    assert "readonly" in (probe_sqlite(db, uri_mode=True, query="mode=ro&uri=true") or "")
    with sqlite3.connect(db) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master")]
    assert tables == ["t"]


def _hold(args: tuple[str, str]) -> tuple[float, float]:
    import time

    db, marker = args
    with store_lock(Path(db)):
        start = time.monotonic()
        # Inside the lock nobody else is: append, wait a little, append again.
        with open(marker, "a") as fh:
            fh.write("in\n")
        time.sleep(0.2)
        with open(marker, "a") as fh:
            fh.write("out\n")
        return start, time.monotonic()


@pytest.mark.slow
def test_store_lock_serialises_processes(tmp_path: Path) -> None:
    db, marker = tmp_path / "m.db", tmp_path / "marker"
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        pool.map(_hold, [(str(db), str(marker))] * 3)
    assert marker.read_text() == "in\nout\n" * 3  # never two "in" in a row


@pytest.mark.parametrize(
    "uri",
    [
        "postgresql://postgres@127.0.0.1:5432/%00",  # libpq would stop at the NUL
        "postgresql://postgres@127.0.0.1:5432/db%0Aother",
        "sqlite:////tmp/store/%00/mlflow.db",
        "http://127.0.0.1:5000/%E2%80%AEpath",  # a direction override, encoded
        "mysql://u@h/db\u200b",
    ],
)
def test_a_uri_with_a_hidden_character_is_refused_before_any_connection(uri: str) -> None:
    with pytest.raises(InputError, match="control or invisible character"):
        parse(uri, source="--mlflow-uri")


def test_a_storage_url_with_a_hidden_character_is_refused_before_the_driver() -> None:
    from credit_mlops.tracking.database import create_engine

    for url in ("postgresql://postgres@127.0.0.1:5432/%00", "sqlite:////tmp/x/%00"):
        with pytest.raises(ConfigError, match=r"tune\.storage"):
            create_engine(url, what="tune storage", setting="tune.storage", connect_timeout=1)


@pytest.mark.parametrize(
    "uri",
    [
        "postgresql://postgres@127.0.0.1:5432/team?dbname=postgres",
        "postgresql://postgres@127.0.0.1:5432/team?host=/tmp",
        "postgresql://postgres@127.0.0.1:5432/team?sslmode=require&USER=admin",
        "mysql://u@127.0.0.1/team?database=other",
    ],
)
def test_a_database_uri_whose_query_names_another_target_is_refused(uri: str) -> None:
    from credit_mlops.tracking.database import create_engine

    with pytest.raises(InputError, match="in its query"):
        parse(uri, source="--mlflow-uri")
    with pytest.raises(ConfigError, match="in its query"):
        create_engine(uri, what="tune storage", setting="tune.storage", connect_timeout=1)


def test_options_that_are_not_the_target_stay_allowed() -> None:
    parse("postgresql://u@127.0.0.1:5432/team?sslmode=require", source="--mlflow-uri")


@pytest.mark.parametrize(
    "reason",
    ['invalid sslmode value: "bogus"', 'definition of service "zz" not found'],
)
def test_a_bad_libpq_option_is_a_config_error_not_an_unreachable_server(reason: str) -> None:
    from credit_mlops.tracking.database import translate

    error = translate(
        "postgresql://u@127.0.0.1/x?sslmode=bogus", Exception(reason), what="w", setting="s"
    )
    assert isinstance(error, ConfigError) and error.exit_code == 2


@pytest.mark.parametrize(
    "uri", ["http://127.0.0.1:5000/?token=tok3n", "https://mlflow.example/x?a=1", "http://h/#frag"]
)
def test_a_server_uri_with_a_query_or_fragment_is_refused_masked(uri: str) -> None:
    """MLflow appends its API paths after the URI as given (`/?token=tok3n/api/2.0/...`):
    the query would never reach the API as a query, and a token in it lands in logs."""
    from credit_mlops.errors import InputError
    from credit_mlops.tracking.uri import parse

    with pytest.raises(InputError, match="query or fragment") as caught:
        parse(uri, source="MLFLOW_TRACKING_URI")
    assert "tok3n" not in str(caught.value)
