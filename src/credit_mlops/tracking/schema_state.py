"""A database tracking store's schema, judged before MLflow opens it.

MLflow opens a store whose tables are not all there by creating them and running its
migrations: right for an empty database or a store of an older MLflow, wrong for a store
that is already at this MLflow's newest revision and has lost a table (MLflow then fails
mid-command with "Database migration in unexpected state"), and for a database whose
`alembic_version` names a revision MLflow never had (another program's, or damage: MLflow
then fails on a constraint). Both are refused here, read-only, with exit 2 and nothing
created; a store whose tables are all there costs no more than the table list already read.
"""

from __future__ import annotations

from credit_mlops.errors import ConfigError, cut, some
from credit_mlops.escaping import one_line
from credit_mlops.tracking import database


def expected_tables() -> set[str]:
    """The tables this MLflow's models define (what MLflow checks before migrating)."""
    from mlflow.store.db import utils  # imports every model, so the metadata is complete
    from mlflow.store.db.base_sql_model import Base

    assert utils  # the import fills Base.metadata
    return set(Base.metadata.tables)


def damaged(url: str, tables: list[str], *, setting: str) -> ConfigError | None:
    """None for a store MLflow can open (or create, or migrate); else why it cannot."""
    if database.MLFLOW_MARK not in tables:
        return None  # empty (created by MLflow), or another application's (said elsewhere)
    missing = sorted(expected_tables() - set(tables))
    if not missing:
        return None
    revision = _revision(url, setting)
    shown = database.display_url(url)
    if revision is None:
        return None  # no migration recorded: MLflow stamps and upgrades it as a new store
    state = _revision_state(revision)
    if state == "older":
        return None  # a store of an older MLflow: MLflow migrates it
    if state == "unknown":
        return ConfigError(
            f"tracking store {shown} records schema revision {one_line(cut(revision, 40))!r}, "
            "which this MLflow never had: another program's database, or one written by a "
            f"newer MLflow; point {setting} at a store of MLflow's own, or upgrade credit"
        )
    listed = some([one_line(cut(name, 60)) for name in missing], 6)
    return ConfigError(
        f"tracking store {shown} is damaged: it is at this MLflow's newest schema but has "
        f"lost table(s) {listed}; restore the database from a backup, or point {setting} "
        "at another store"
    )


def _revision(url: str, setting: str) -> str | None:
    import sqlalchemy

    engine = database.create_engine(
        url, what="tracking store", setting=setting, connect_timeout=database.CONNECT_TIMEOUT
    )
    try:
        with engine.connect() as connection:
            if not sqlalchemy.inspect(connection).has_table("alembic_version"):
                return None
            row = connection.execute(sqlalchemy.text("SELECT version_num FROM alembic_version"))
            first = row.first()
            return None if first is None else str(first[0])
    except sqlalchemy.exc.DBAPIError as exc:
        raise database.translate(url, exc, what="tracking store", setting=setting) from None
    finally:
        engine.dispose()


def _revision_state(revision: str) -> str:
    """ "head", "older" (a revision this MLflow migrates from) or "unknown"."""
    from alembic.script import ScriptDirectory
    from mlflow.store.db.utils import _get_alembic_config

    script = ScriptDirectory.from_config(_get_alembic_config(db_url=""))
    if revision in script.get_heads():
        return "head"
    try:
        known = script.get_revision(revision)
    except Exception:  # alembic's own errors for an id that is no revision, or ambiguous
        return "unknown"
    return "older" if known is not None else "unknown"
