"""A PostgreSQL database proved to take writes on one bounded connection, before minutes
of work go into it: `SHOW transaction_read_only` is on for a hot standby, for
`default_transaction_read_only` in the URL's options and for a role's own
`default_transaction_read_only` alike (exit 2); a user without the right to insert into the
store's tables is exit 4. The sqlite counterpart is `store_lock.check_writable`."""

from __future__ import annotations

from credit_mlops.errors import AuthError


def check_writes(
    url: str, *, what: str, setting: str, table: str | None = None, connect_timeout: int = 5
) -> None:
    """A PostgreSQL database must take writes before work goes into it: read-only is exit
    2, a user without the right to write `table` exit 4. Other URLs pass."""
    import sqlalchemy

    from credit_mlops.tracking import database
    from credit_mlops.tracking.libpq import denied_table, read_only, read_only_error

    if not url.lower().startswith("postgresql"):
        return
    engine = database.create_engine(
        url, what=what, setting=setting, connect_timeout=connect_timeout
    )
    try:
        with engine.connect() as connection:
            reason = read_only(connection)
            denied = denied_table(connection, table) if table and reason is None else None
    except sqlalchemy.exc.DBAPIError as exc:
        raise database.translate(url, exc, what=what, setting=setting) from None
    finally:
        engine.dispose()
    shown = database.display_url(url)
    if reason is not None:
        raise read_only_error(what, shown, reason, setting)
    if denied is not None:
        raise AuthError(
            f"{what} {shown} refused the permission ({denied}); grant the user the right "
            "(e.g. `GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO USER`) or "
            "use a user that has it"
        )
