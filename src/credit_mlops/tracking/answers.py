"""What an HTTP tracking server answered: MLflow's API, or something else; and a server-side
failure told by its status and the start of its message, never taken for "unreachable".

MLflow's REST client parses every answer in one function (`rest_utils.parse_dict`), and it
ignores what it does not know: a service answering `{"garbage": 1}` to every request would
read as an empty registry. `checked_answers` puts a check in front of it; `misread` tells, by
where it was raised, a failure of MLflow's client to read an answer from any other failure.
"""

from __future__ import annotations

import contextlib
import re
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from credit_mlops.errors import CreditError, NotATrackingServerError, TrackingError
from credit_mlops.redaction import MASK, scrub

if TYPE_CHECKING:
    from google.protobuf.message import Message

    from credit_mlops.tracking.connection import Connection

_INSTALL = threading.Lock()
_users = 0  # blocks inside `checked_answers` now
# Where MLflow's REST client reads an answer: a failure raised below one of these frames
# (and not in our own code) is an answer it could not read.
_READERS = (
    "mlflow/utils/rest_utils.py",
    "mlflow/utils/proto_json_utils.py",
    "rest_store.py",
    "mlflow/store/artifact/http_artifact_repo.py",  # the artifact listing's JSON
)
_MISREAD = (ValueError, TypeError, KeyError, AttributeError, IndexError)
# urllib3's words when MLflow's retries on 5xx answers are spent; the answer itself is gone
_SPENT = re.compile(r"too many (\d{3}) error responses")
# credential-like words in a server's message: their value is never shown
_SECRET = re.compile(
    r"(?i)\b(password|passwd|pwd|token|secret|api[_-]?key|authorization|credentials?)"
    r"(['\"]?\s*[=:]\s*['\"]?)(?:(?:bearer|basic)\s+)?[^\s,;'\"&)}]+"
)
_SCHEME = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}")
_USERINFO = re.compile(r"(://)[^/@\s]+@")
# What MLflow's client says when an answer is not its API's JSON (a web page, a proxy's
# error page, another service), or, from a server, of an id left empty by such an answer
_NOT_MLFLOW = re.compile(r"Response body: '\s*<|not in a valid JSON format|error code 404 != 200")
_EMPTY_ID = re.compile(r"must be a non-empty string, but got ''")
# the error codes of a server's answer (RestException) that say it failed itself
_FAILING = ("INTERNAL_ERROR", "TEMPORARILY_UNAVAILABLE")


class NotMlflowAnswer(Exception):
    """An answer MLflow's client was about to read, and that is not its API's."""


def not_a_server(
    conn: Connection, detail: str, *, partial_run_id: str | None = None
) -> NotATrackingServerError:
    return NotATrackingServerError(
        f"tracking at {conn.shown_uri} answers HTTP, but not as an MLflow tracking server "
        f"({detail}); check the host, port and path of --mlflow-uri / MLFLOW_TRACKING_URI",
        partial_run_id=partial_run_id,
    )


def answered(
    exc: BaseException, conn: Connection, partial_run_id: str | None
) -> CreditError | None:
    """The line for a failure of a server that did answer: not as MLflow's API (exit 2), or
    with an error of its own (exit 1); None for any other failure."""
    if conn.is_remote and misread(exc):
        return not_a_server(conn, "an answer is not MLflow's API", partial_run_id=partial_run_id)
    spent = spent_status(exc, urlsplit(conn.uri).hostname) if conn.is_remote else None
    if spent is not None:  # it answers, with errors: failing, not unreachable
        said = server_message(conn, spent[1], spent[0])
        return server_failed(conn, spent[0], said, partial_run_id=partial_run_id)
    code = str(getattr(exc, "error_code", "") or "")
    if conn.is_remote and type(exc).__name__ == "RestException" and code in _FAILING:
        said = shown_message(str(getattr(exc, "message", "") or exc), conn)
        return server_failed(conn, None, f"{code}: {said}", partial_run_id=partial_run_id)
    if _NOT_MLFLOW.search(str(exc)) or (conn.is_remote and _EMPTY_ID.search(str(exc))):
        status = re.search(r"error code (\d{3})", str(exc))
        detail = f"HTTP {status.group(1)}" if status else "not JSON"
        return not_a_server(conn, detail, partial_run_id=partial_run_id)
    return None


@contextlib.contextmanager
def checked_answers() -> Iterator[None]:
    """For one block, `_checked` in front of MLflow's REST client's parser; the parser is
    MLflow's own again when the last block (of any thread) ends."""
    from mlflow.utils import rest_utils

    global _users
    with _INSTALL:
        if _users == 0:
            rest_utils.parse_dict = _checking(rest_utils.parse_dict)
        _users += 1
    try:
        yield
    finally:
        with _INSTALL:
            _users -= 1
            if _users == 0:
                parse = rest_utils.parse_dict
                rest_utils.parse_dict = getattr(parse, "original", parse)


def _checking(parse: Callable[..., None]) -> Callable[..., None]:
    def checked(js_dict: object, message: Message) -> None:
        _checked(js_dict, message)
        try:
            parse(js_dict=js_dict, message=message)
        except Exception as exc:  # protobuf's ParseError and any other misreading
            raise NotMlflowAnswer(f"a field of {_name(message)} is not MLflow's") from exc

    checked.original = parse  # type: ignore[attr-defined]
    return checked


def _name(message: Message) -> str:
    return str(message.DESCRIPTOR.full_name).removeprefix("mlflow.")


def _checked(js_dict: object, message: Message) -> None:
    """Refuse an answer no MLflow server gives: not a JSON object; none of the answer's
    fields (when it has any); or a field MLflow would have left out given as null."""
    if not isinstance(js_dict, dict):
        raise NotMlflowAnswer(f"the answer to {_name(message)} is not a JSON object")
    fields = {}
    for field in message.DESCRIPTOR.fields:
        fields[field.name] = fields[field.json_name] = field
    known = [key for key in js_dict if key in fields]
    if js_dict and not known:
        raise NotMlflowAnswer(f"the answer to {_name(message)} has none of its fields")
    for key in known:
        kind = fields[key].message_type
        if js_dict[key] is None and (kind is None or kind.full_name != "google.protobuf.Value"):
            raise NotMlflowAnswer(f"the answer to {_name(message)} has {key} null")


def misread(exc: BaseException) -> bool:
    """True for a failure of MLflow's REST client to read an answer (the answer is not its
    API's): our check's refusal, or an error raised under its reader, not in our code."""
    if isinstance(exc, NotMlflowAnswer):
        return True
    if not isinstance(exc, _MISREAD) and type(exc).__name__ != "ParseError":
        return False
    files = [f.filename.replace("\\", "/") for f in traceback.extract_tb(exc.__traceback__)]
    if not files or "/credit_mlops/" in files[-1]:
        return False
    return any(reader in name for name in files for reader in _READERS)


def spent_status(exc: BaseException, host: str | None) -> tuple[int, str | None] | None:
    """The HTTP status of the answers MLflow's client retried until it gave up (a server
    that answers, with an error), and the path it asked of `host` (None if it asked another
    host, e.g. an artifact store); None if that is not the failure."""
    chain: BaseException | None = exc
    while chain is not None:
        found = _SPENT.search(str(getattr(chain, "reason", "") or ""))
        if type(chain).__name__ == "MaxRetryError" and found:
            url = getattr(chain, "url", None)
            asked = getattr(getattr(chain, "pool", None), "host", None)
            same = isinstance(url, str) and asked is not None and asked == host
            return int(found[1]), url if same else None
        chain = chain.__cause__ or chain.__context__
    found = _SPENT.search(str(exc))
    return (int(found[1]), None) if found else None


def server_failed(
    conn: Connection,
    status: int | None,
    message: str | None,
    *,
    partial_run_id: str | None = None,
) -> TrackingError:
    """The one line for a server that answers, with an error of its own (exit 1): its
    status and the start of its message; "unreachable" is kept for no answer at all."""
    said = ": ".join(x for x in (f"HTTP {status}" if status else "", message or "") if x)
    return TrackingError(
        f"tracking server at {conn.shown_uri} failed ({said}); see its log",
        partial_run_id=partial_run_id,
    )


def server_message(conn: Connection, path: str | None, status: int) -> str | None:
    """The start of the server's own message for a failure of `status` at `path`, asked once
    more without retries (MLflow's client drops the answers it retried); None if the
    server does not answer the same way again, or answers a web page."""
    import requests

    if not path or not path.startswith("/"):
        return None
    scheme, _, rest = conn.uri.partition("://")
    url = f"{scheme}://{rest.split('/', 1)[0]}{path}"
    creds = conn.credentials
    headers = {"Authorization": f"Bearer {creds.token}"} if creds.token else {}
    auth = (creds.username, creds.password) if creds.username and creds.password else None
    from credit_mlops.tracking.deadline import bounded

    try:
        with bounded(conn.http.deadline):
            answer = requests.get(url, headers=headers, auth=auth, timeout=conn.http.timeout)
    except requests.RequestException:
        return None
    if answer.status_code != status:
        return None
    try:
        body = answer.json()
        text = str(body.get("message") or body.get("error_code") or "")
    except ValueError:  # not JSON: its first line, unless it is a web page
        text = answer.text.strip()
    except AttributeError:  # JSON, but no object
        text = ""
    return shown_message(text, conn) if text and not text.startswith("<") else None


def shown_message(text: str, conn: Connection) -> str:
    """A server's message for a one-line error: its first line, cut, secrets masked."""
    from credit_mlops.errors import cut

    first = text.strip().splitlines()[0] if text.strip() else ""
    first = scrub(first, conn.uri)
    creds = conn.credentials
    for secret in (creds.password, creds.token):
        if secret and len(secret) >= 3:
            first = first.replace(secret, MASK)
    first = _USERINFO.sub(r"\1", first)
    first = _SECRET.sub(lambda m: f"{m[1]}{m[2]}{MASK}", first)
    first = _SCHEME.sub(lambda m: f"{m[1]} {MASK}", first)
    return cut(first, 160)
