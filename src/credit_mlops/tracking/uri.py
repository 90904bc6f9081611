"""The one parser for tracking URIs: scheme and the parts each scheme needs, checked up front.

Anything MLflow would fail on later (with a KeyError deep in its store registry, or after
minutes of cross-validation) is refused here with exit 2 and one line that names the
setting the URI came from. A local store's folder must exist, except the project's own
default store folder, which is created. No MLflow import: this runs before any heavy work.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from credit_mlops.errors import ConfigError, InputError
from credit_mlops.link_loops import loop_message, looping_part

Kind = Literal["server", "sqlite", "database", "databricks"]
DATABASES = ("postgresql", "mysql", "mssql")
USABLE = (
    "http(s)://HOST[:PORT], sqlite:///PATH/mlflow.db, postgresql://HOST/DB, "
    "mysql://HOST/DB, mssql://HOST/DB or databricks"
)


@dataclass(frozen=True)
class TrackingUri:
    """A tracking URI that has every part its scheme needs."""

    raw: str
    scheme: str  # as written, e.g. "postgresql+psycopg"
    kind: Kind
    sqlite_path: Path | None = None  # the database file of a sqlite store
    sqlite_uri_mode: bool = False  # sqlite:///file:...?uri=true (e.g. mode=ro)


def source_label(provenance: str | None) -> str:
    """How to name where the URI came from: a flag, an env variable, a profile file."""
    if provenance in (None, "default", "derived"):
        return "tracking.uri"
    if provenance == "flag":
        return "--mlflow-uri"
    if provenance.startswith("env "):
        return provenance.removeprefix("env ")
    return f"{provenance}: key 'tracking.uri'"


def _error(source: str, message: str) -> InputError:
    # Messages show URIs only through `redact`: a password never reaches the terminal.
    cls = ConfigError if ": key " in source else InputError
    return cls(f"{source}: {message}")


def hidden_character(url: str) -> str | None:
    """What is wrong with a URL holding a control or invisible character, raw or
    percent-encoded (`%00` cuts a database URL short: libpq then connects to the user's
    default database as the system user), or None."""
    from urllib.parse import unquote

    from credit_mlops.names import invisible
    from credit_mlops.redaction import redact

    if invisible(url) or invisible(unquote(url)):
        shown = redact(url).encode("unicode_escape").decode("ascii")
        return f"'{shown}' holds a control or invisible character (such as %00)"
    return None


# libpq and the MySQL drivers let these query keys override what the URL itself shows
# (`.../team?dbname=postgres` connects to `postgres`): every check and message would name
# one database while the store lives in another.
_TARGET_KEYS = frozenset(
    {
        "dbname",
        "database",
        "db",
        "host",
        "hostaddr",
        "port",
        "user",
        "username",
        "service",
        "servicefile",
        "unix_socket",
    }
)


# libpq reads these files itself, and its warnings about them (a password file that is not
# a plain file, a key readable by others) go straight to stderr before any error of ours.
_FILE_KEYS = frozenset(
    {"passfile", "sslcert", "sslkey", "sslrootcert", "sslcrl", "sslcrldir", "servicefile"}
)


def target_in_query(url: str) -> str | None:
    """What is wrong with a database URL whose query names its host, port, user or database
    (they would override the URL's own), or None."""
    from urllib.parse import parse_qsl, urlsplit

    if not url.split(":", 1)[0].lower().startswith(("postgres", "mysql")):
        return None
    try:
        keys = [k.strip().lower() for k, _ in parse_qsl(urlsplit(url).query, True)]
    except ValueError:
        return None
    files = sorted(set(keys) & _FILE_KEYS) if url[:8].lower().startswith("postgres") else []
    if files:
        return (
            f"names a file for libpq in its query (?{files[0]}=), which libpq reads (and warns "
            "about) outside our checks; give it in libpq's environment instead (PGPASSFILE, "
            "PGSSLCERT, PGSSLKEY, PGSSLROOTCERT, PGSSLCRL, PGSSLCRLDIR, PGSERVICEFILE)"
        )
    found = sorted(set(keys) & _TARGET_KEYS)
    if not found:
        return None
    return (
        f"names the connection's {found[0]} in its query (?{found[0]}=), which would override "
        "the address the URL shows; put host, port, user and database in the URL itself"
    )


def parse(uri: str, *, source: str) -> TrackingUri:
    """Check `uri` (from `source`, e.g. "MLFLOW_TRACKING_URI") or raise exit 2."""
    from credit_mlops.redaction import redact

    shown = redact(uri.strip())
    text = uri.strip()
    if not text:
        raise _error(source, "the tracking URI is empty; " + f"use {USABLE}")
    problem = hidden_character(text)
    if problem:
        raise _error(source, f"tracking URI {problem}; fix it")
    problem = target_in_query(text)
    if problem:
        raise _error(source, f"tracking URI {shown} {problem}")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises on a port that is not a number or above 65535
    except ValueError as exc:
        raise _error(source, f"tracking URI '{shown}' is malformed ({exc})") from None
    if port == 0:
        raise _error(source, f"tracking URI '{shown}' has port 0; use the server's port 1..65535")
    scheme = parts.scheme.lower()
    if text.lower() == "databricks":
        return TrackingUri(text, "databricks", "databricks")
    if not scheme or "://" not in text:
        raise _error(
            source,
            f"tracking URI '{shown}' has no scheme; for a local store use "
            f"sqlite:///{Path(text).expanduser().resolve()} (or {USABLE})",
        )
    base = scheme.split("+", 1)[0]
    if base in ("http", "https"):
        if not parts.hostname:
            raise _error(source, f"tracking URI '{shown}' names no host; use {base}://HOST[:PORT]")
        if parts.query or parts.fragment:  # MLflow appends its API paths after them
            raise _error(
                source,
                f"tracking URI '{shown}' has a query or fragment ('?' or '#'), which MLflow "
                "would send as part of every API path (a token there reaches the server's "
                f"logs); use {base}://HOST[:PORT][/PATH] and give a token in "
                "MLFLOW_TRACKING_TOKEN",
            )
        return TrackingUri(text, scheme, "server")
    if base == "sqlite":
        return _sqlite(text, scheme, shown, source)
    if base in DATABASES:
        if not parts.hostname:
            raise _error(source, f"tracking URI '{shown}' names no host; use {base}://HOST/DB")
        if not parts.path.strip("/"):
            raise _error(
                source, f"tracking URI '{shown}' names no database; use {base}://HOST[:PORT]/DB"
            )
        return TrackingUri(text, scheme, "database")
    if base == "databricks":
        return TrackingUri(text, scheme, "databricks")
    raise _error(
        source,
        f"tracking URI '{shown}' has scheme '{parts.scheme}', which cannot be used; use {USABLE}",
    )


def _sqlite(text: str, scheme: str, shown: str, source: str) -> TrackingUri:
    rest = text.split("://", 1)[1]
    if not rest.startswith("/") or not rest[1:].split("?", 1)[0]:
        raise _error(
            source,
            f"tracking URI '{shown}' names no database path (an in-memory store keeps "
            "nothing); use sqlite:///PATH/mlflow.db",
        )
    database, _, query = rest[1:].partition("?")
    uri_mode = parse_qs(query).get("uri", [""])[0].lower() in ("true", "1")
    if uri_mode and database.startswith("file:"):
        database = database.removeprefix("file:")
    return TrackingUri(text, scheme, "sqlite", Path(database), uri_mode)


def check_store_folder(
    parsed: TrackingUri, *, source: str, default_folder: Path, create: bool = True
) -> None:
    """A local store's folder must exist; only the project's default store folder is made."""
    if parsed.sqlite_path is None:
        return
    folder = parsed.sqlite_path.parent
    if folder.is_dir():
        return
    if _same(folder, default_folder):
        if not create:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _error(
                source, f"cannot create the store folder {folder} ({exc.strerror})"
            ) from None
        return
    if folder.exists():
        raise _error(source, f"{folder} (the store's folder) is not a folder")
    raise _error(
        source,
        f"the store's folder {folder} does not exist; create it first or fix the URI "
        "(only the project's own store folder is created)",
    )


def _same(a: Path, b: Path) -> bool:
    return a.absolute() == b.absolute() or a.resolve() == b.resolve()


def refuse_files_in_the_way(parsed: TrackingUri, *, source: str) -> None:
    """A local store whose folder (or a folder above it) is a file, or whose database is a
    folder, can never be created or read: refused (exit 2) rather than reported as empty."""
    db = parsed.sqlite_path
    if db is None:
        return
    if (part := looping_part(db)) is not None:  # unusable, never an empty store
        raise _error(source, loop_message(part))
    if db.is_dir():
        raise _error(source, f"the store {db} is a folder; name the database file in it")
    problem = not_a_regular_store(db)
    if problem:
        raise _error(source, problem)
    for folder in (db.parent, *db.parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise _error(
                    source, f"{folder} is a file, not a folder: the store {db} cannot be there"
                )
            return


def not_a_regular_store(db: Path) -> str | None:
    """What is wrong with a store file that exists but is no regular file (a pipe would
    hang SQLite's open, a device reads as a disk error), or None. A link to a regular
    file is followed, as SQLite follows it; a dangling one is a new store's place."""
    try:
        mode = os.stat(db).st_mode
    except OSError:
        return None  # no file (or a dangling link): SQLite's open says the rest
    if stat.S_ISREG(mode):
        return None
    kind = "a folder" if stat.S_ISDIR(mode) else _KINDS.get(stat.S_IFMT(mode), "no file")
    link = " (through a symbolic link)" if db.is_symlink() else ""
    return (
        f"the store {db} is {kind}{link}, not a database file; remove it (or the link) "
        "and name a regular file"
    )


_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
