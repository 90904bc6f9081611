"""A decision request's body -> the applicants as a frame, or a `RequestError` that names
the column (and the applicant) at fault, with the HTTP status it is answered with."""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from credit_mlops.errors import cut
from credit_mlops.readback import DuplicateKey, unique_keys

if TYPE_CHECKING:
    import pandas as pd
    from starlette.requests import Request


class RequestError(Exception):
    """A request refused with `status`; `column` names the column at fault if one is."""

    def __init__(self, status: int, message: str, column: str | None = None) -> None:
        column = column if column is not None else column_named(message)
        message = brief(message)
        super().__init__(message)
        self.status = status
        self.message = message
        self.column = None if column is None else shorten(column, LONGEST_NAME)

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "column": self.column}


_COLUMN = re.compile(r"column(?:\(s\))? '?([A-Za-z_][A-Za-z0-9_]*)")


def column_named(message: str) -> str | None:
    """The first column a validation message names (`column 'laufkont'`, `column(s) x`)."""
    found = _COLUMN.search(message)
    return found.group(1) if found else None


@dataclass(frozen=True)
class Applicants:
    frame: pd.DataFrame
    reasons: int
    records: list[dict[str, Any]]  # as sent (what the journal keeps)


def parse(body: bytes, *, default_reasons: int, max_applicants: int, query: Any) -> Applicants:
    """One applicant (an object of columns), a list of them, or
    `{"applicants": [...], "reasons": K}`; `?reasons=K` also sets K."""

    try:
        data = json.loads(
            body, object_pairs_hook=unique_keys, parse_constant=_constant, parse_float=_float
        )
    except DuplicateKey as exc:
        raise RequestError(
            422, f"column '{exc.key}' is given twice in one object", exc.key
        ) from None
    except RecursionError:
        raise RequestError(400, "the body is not JSON this service reads: too deep") from None
    except ValueError as exc:  # not JSON, not UTF-8, or a number of thousands of digits
        if "digits" in str(exc):
            why = "a number has more digits than any value may have"
        else:
            why = shorten(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise RequestError(400, f"the body is not JSON this service reads: {why}") from None
    given = query.getlist("reasons") if hasattr(query, "getlist") else []
    if len(given) > 1:
        raise RequestError(422, "reasons is given more than once in the query: give it once")
    reasons: Any = query.get("reasons", default_reasons)
    single = isinstance(data, dict) and "applicants" not in data
    if not single and isinstance(data, dict):
        extra = sorted(set(data) - {"applicants", "reasons"})
        if extra:
            raise RequestError(422, f"unexpected key(s) {', '.join(extra)} beside 'applicants'")
        if "reasons" in data:
            if "reasons" in query:
                raise RequestError(422, "reasons is given in the body and the query: give it once")
            if type(data["reasons"]) is not int:
                raise RequestError(
                    422,
                    f"reasons must be a whole number from 0 to 20 (got {_shown(data['reasons'])})",
                )
            reasons = data["reasons"]
        data = data["applicants"]
    rows = [data] if single else data
    if not isinstance(rows, list) or not rows:
        raise RequestError(422, "send one applicant (an object) or a non-empty list of them")
    if len(rows) > max_applicants:
        raise RequestError(
            413,
            f"{len(rows)} applicants in one request; at most {max_applicants} "
            "(serve.max_applicants)",
        )
    _check_rows(rows)
    return Applicants(_frame(rows), _count(reasons), rows)


def _constant(name: str) -> float:
    """NaN, Infinity and -Infinity, which Python's reader takes and JSON has not: refused,
    so nothing the service answers or journals is ever anything but strict JSON."""
    raise ValueError(f"{name} is not a JSON number; send a number or null")


def _float(text: str) -> float:
    """A JSON number with a fraction or exponent; one beyond any float (1e999) is refused
    rather than read as infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {cut(text, 20)} is beyond any float; send a smaller one")
    return value


def _check_rows(rows: list[Any]) -> None:
    """Each applicant an object of columns whose values are numbers, text or null."""
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise RequestError(422, f"applicant {i} is not an object of columns")
        for key, value in row.items():
            if not _text(key) or (type(value) is str and not _text(value)):
                raise RequestError(
                    400, f"applicant {i}: the body holds a lone UTF-16 surrogate, not text"
                )
            if type(value) is int and not -LARGEST <= value <= LARGEST:
                raise RequestError(
                    422, f"applicant {i}: column '{key}' is {_shown(value)}: out of range", key
                )
            if value is not None and type(value) not in (int, float, str):
                raise RequestError(
                    422,
                    f"applicant {i}: column '{key}' must be a number, a text code or null "
                    f"(got {_shown(value)})",
                    key,
                )


LARGEST = 2**53  # whole numbers beyond it have no exact float: no column's range reaches them


def _shown(value: Any) -> str:
    return cut(repr(value), 50)


def _text(value: str) -> bool:
    """Whether `value` is text UTF-8 can carry (JSON lets a lone surrogate through)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


LONGEST_MESSAGE = 300  # characters of an error message in a response body
LONGEST_NAME = 60  # characters of a column name a response body repeats


def shorten(text: str, most: int = LONGEST_MESSAGE) -> str:
    """`text` cut to `most` characters, saying how long it was: a client's value or name
    echoed in a refusal never makes the response (or any log of it) larger than the rest."""
    return cut(text, most)


LONGEST_VALUE = 50  # characters of one value (a run of non-blank characters) in a refusal
_WHOLE = re.compile(r"(-?[0-9]{16,400})([:;,.)]?)")  # a float's value written out in digits


def brief(message: str) -> str:
    """A refusal for a response body, at most LONGEST_MESSAGE characters, that keeps its
    reason: the value a client sent comes before why it is refused (`row 0, column 'hoehe':
    1e+308 is above 1000000`), so each long value is shortened - a float written out as
    309 digits back to its own short form, anything else cut to its start and length - and
    a message still too long loses its middle, never its end."""
    text = " ".join(_value(word) for word in message.split(" "))
    if len(text) <= LONGEST_MESSAGE:
        return text
    head, tail = text[:170], text[-90:]
    return f"{head}...({len(text) - 260:,} characters left out)...{tail}"


def _value(word: str) -> str:
    if len(word) <= LONGEST_VALUE:
        return word
    whole = _WHOLE.fullmatch(word)
    if whole is not None:
        digits = int(whole.group(1))
        try:
            number = float(digits)
        except OverflowError:  # beyond any float: cut like any other value
            number = float("nan")
        if number == number and int(number) == digits:
            return repr(number) + whole.group(2)
    return cut(word, LONGEST_VALUE)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The applicants as a frame: one int64 block when every applicant sends the same
    columns in the same order, all whole numbers (the usual request; a tenth of the cost of
    pandas' records reader), else pandas' records reader (missing columns become gaps)."""
    import numpy as np
    import pandas as pd

    names = list(rows[0])
    if all(type(v) is int for row in rows for v in row.values()) and all(
        list(row) == names for row in rows
    ):
        try:
            matrix = np.array([list(row.values()) for row in rows], dtype=np.int64)
        except OverflowError:
            pass  # beyond int64: the records reader keeps them as they are
        else:
            return pd.DataFrame(matrix, columns=_names_index(tuple(names)))
    return pd.DataFrame.from_records(rows)


@functools.lru_cache(maxsize=32)
def _names_index(names: tuple[str, ...]) -> pd.Index:
    """Column names as an index, built once per set of names a client sends (clients send
    the same few; building one costs more than the applicant's check)."""
    import pandas as pd

    return pd.Index(list(names))


def _count(value: Any) -> int:
    """K from a JSON integer or a query string's digits; 0 to 20."""
    if isinstance(value, int) and not isinstance(value, bool):
        k = value
    elif (
        isinstance(value, str)
        and len(value) <= 8
        and value.strip().isascii()
        and value.strip().isdigit()
    ):
        k = int(value)
    else:
        k = -1
    if not 0 <= k <= 20:
        raise RequestError(
            422, f"reasons must be a whole number from 0 to 20 (got {_shown(value)})"
        )
    return k


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"the body has {declared} bytes; at most {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def json_content(value: str | None) -> None:
    """A decision request is JSON: any other declared type (a form, text, XML) is refused,
    so a web page cannot post one from a browser without the browser asking first (a JSON
    post from another site is preflighted); no Content-Type at all is taken as JSON."""
    if value is None:
        return
    kind, _, params = value.partition(";")
    kind = kind.strip().lower()
    charset = params.strip().lower().removeprefix("charset=").strip('" ')
    if not (
        kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))
    ):
        raise RequestError(
            415,
            f"send the body as application/json (got {value[:60]!r}); with curl: "
            "-H 'Content-Type: application/json'",
        )
    if params.strip() and charset not in ("utf-8", "utf8"):
        raise RequestError(415, f"send the body as UTF-8 JSON (got {value[:60]!r})")
