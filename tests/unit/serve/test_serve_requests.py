"""A decision request's body, the bind and token rules, and following the registry: a
failed new version leaves the old one serving."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from credit_mlops.errors import ConfigError, InputError, NotFoundError
from credit_mlops.lifecycle.resolve import ModelRef
from credit_mlops.serve.follow import Holder
from credit_mlops.serve.payload import RequestError, column_named, json_content, parse
from credit_mlops.serve.scorer import Scorer
from credit_mlops.serve.security import authorised, check_bind, is_loopback, resolve_token

APPLICANT = {"laufkont": 1, "laufzeit": 18, "alter": 30}


def _parse(body: bytes, query: dict[str, str] | None = None) -> Any:
    return parse(body, default_reasons=4, max_applicants=3, query=query or {})


def test_one_applicant_a_list_or_a_wrapped_list() -> None:
    import json

    one = _parse(json.dumps(APPLICANT).encode())
    assert len(one.frame) == 1 and one.reasons == 4
    two = _parse(json.dumps([APPLICANT, APPLICANT]).encode(), {"reasons": "2"})
    assert len(two.frame) == 2 and two.reasons == 2
    wrapped = _parse(json.dumps({"applicants": [APPLICANT], "reasons": 0}).encode())
    assert len(wrapped.frame) == 1 and wrapped.reasons == 0


@pytest.mark.parametrize(
    "rows",
    [
        [APPLICANT],
        [APPLICANT, {**APPLICANT, "alter": 61}],
        [APPLICANT, {"alter": 30, "laufkont": 1, "laufzeit": 18}],  # another order
        [APPLICANT, {"laufkont": 1}],  # a column left out: a gap
        [{**APPLICANT, "alter": 30.5}],
        [{**APPLICANT, "alter": 2**53}],  # the largest whole number taken
        [{**APPLICANT, "laufkont": "rent"}, {**APPLICANT, "laufkont": None}],  # text, a gap
    ],
)
def test_the_applicants_frame_is_pandas_records_reader_s(rows: list[dict[str, Any]]) -> None:
    """Whole-number applicants with the same columns become one int64 block; the frame is
    the one pandas' records reader gives, whatever the body."""
    import json

    import pandas as pd

    got = _parse(json.dumps(rows).encode()).frame
    pd.testing.assert_frame_equal(got, pd.DataFrame.from_records(rows), check_exact=True)


@pytest.mark.parametrize(
    ("body", "status", "column"),
    [
        (b"{not json", 400, None),
        (b"[" * 100_000 + b"]" * 100_000, 400, None),  # nested too deep for the parser
        (b'{"alter": ' + b"9" * 5_000 + b"}", 400, None),  # beyond Python's digit limit
        (b"\xff\xfe{}", 400, None),
        (b"[]", 422, None),
        (b'{"laufkont": [1]}', 422, "laufkont"),
        (b'{"laufkont": true}', 422, "laufkont"),
        (b'{"laufkont": {"a": 1}}', 422, "laufkont"),
        (b'{"laufkont": 1, "laufkont": 2}', 422, "laufkont"),  # json would keep the last
        (b'{"alter": 1180591620717411303424}', 422, "alter"),  # beyond 2**53: out of range
        (b'{"applicants": [{"alter": 30}], "reasons": "3"}', 422, None),  # a number, not text
        (b"[1, 2]", 422, None),
        (b'{"applicants": [{"alter": 30}], "extra": 1}', 422, None),
        (b"[{}, {}, {}, {}]", 413, None),
        (b'{"applicants": [{"alter": 30}], "reasons": -1}', 422, None),
        (b'{"applicants": [{"alter": 30}], "reasons": 2.5}', 422, None),
    ],
)
def test_bad_bodies_are_refused_with_their_status_and_column(
    body: bytes, status: int, column: str | None
) -> None:
    with pytest.raises(RequestError) as info:
        _parse(body)
    assert info.value.status == status
    assert info.value.column == column
    assert "Traceback" not in info.value.message


def test_reasons_come_once_as_a_plain_whole_number() -> None:
    body = json.dumps({"applicants": [APPLICANT], "reasons": 2}).encode()
    with pytest.raises(RequestError, match="given in the body and the query"):
        _parse(body, {"reasons": "2"})
    for digits in ("\u0663", "\uff13"):  # Arabic-Indic and full-width three
        with pytest.raises(RequestError, match="whole number from 0 to 20"):
            _parse(json.dumps(APPLICANT).encode(), {"reasons": digits})


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        (None, False),
        ("application/json", False),
        ("application/json; charset=utf-8", False),
        ("application/problem+json", False),
        ("text/plain", True),
        ("application/x-www-form-urlencoded", True),
        ("multipart/form-data; boundary=x", True),
        ("application/json; charset=utf-16", True),
    ],
)
def test_only_json_bodies_are_read(value: str | None, refused: bool) -> None:
    if refused:
        with pytest.raises(RequestError) as info:
            json_content(value)
        assert info.value.status == 415
    else:
        json_content(value)


def test_the_column_is_read_from_a_validation_message() -> None:
    assert column_named("request: column 'laufkont' has 1 codes outside 1–4") == "laufkont"
    assert column_named("request: missing column(s) moral, verw; expected") == "moral"
    assert column_named("the body is not JSON") is None


def test_only_loopback_binds_go_without_a_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.0.0.2") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")
    check_bind("127.0.0.1", None, insecure=False)
    check_bind("0.0.0.0", "x" * 32, insecure=False)
    check_bind("0.0.0.0", None, insecure=True)
    with pytest.raises(InputError, match="CREDIT_SERVE__TOKEN"):
        check_bind("0.0.0.0", None, insecure=False)


def test_the_token_comes_from_the_setting_or_its_file(tmp_path: Path) -> None:
    token = "t" * 24
    assert resolve_token(SecretStr(token), None) == token
    (tmp_path / "token").write_text(token + "\n")
    assert resolve_token(None, tmp_path / "token") == token
    assert resolve_token(None, None) is None
    with pytest.raises(ConfigError, match="shorter than 16"):
        resolve_token(SecretStr("short"), None)
    with pytest.raises(ConfigError, match="cannot be read"):
        resolve_token(None, tmp_path / "absent")
    (tmp_path / "token").write_bytes(b"\xef\xbb\xbf" + token.encode() + b"\nsecond line\n")
    assert resolve_token(None, tmp_path / "token") == token  # the BOM dropped, line one
    (tmp_path / "token").write_bytes(b"\xff\xfe" + token.encode("utf-16-le"))
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        resolve_token(None, tmp_path / "token")
    assert authorised(f"Bearer {token}", token)
    assert not authorised(f"Bearer {token}x", token)
    assert not authorised(f"Basic {token}", token) and not authorised(None, token)


def test_a_serve_token_in_a_profile_file_is_refused(project: Path) -> None:
    from credit_mlops.config.loader import load_settings

    (project / "configs" / "local.toml").write_text('[serve]\ntoken = "abcdefabcdefabcdef"\n')
    with pytest.raises(ConfigError, match="CREDIT_SERVE__TOKEN"):
        load_settings()


def _scorer(tag: float) -> Scorer:
    return Scorer(tag, (5.0, 1.0), "d", lambda frame, k: frame, quick=True)


def test_a_new_version_that_fails_to_load_leaves_the_old_one_serving() -> None:
    points = {"version": "1"}
    loads: list[str] = []

    def resolve() -> ModelRef:
        v = points["version"]
        return ModelRef(f"models:/m/{v}", f"run{v}", "m", v)

    def load(ref: ModelRef) -> Scorer:
        loads.append(str(ref.version))
        if ref.version == "2":
            raise NotFoundError("model files are gone")
        return _scorer(float(ref.version or 0))

    heard: list[tuple[str | None, str | None]] = []

    def listener(served: Any, failure: Any) -> None:
        heard.append((served and served.version, failure and failure.version))

    holder = Holder("m@production", resolve, load, listener)
    assert holder.refresh() and holder.current is not None and holder.current.version == "1"
    assert not holder.refresh()  # unchanged: nothing loaded again
    points["version"] = "2"
    assert not holder.refresh()
    assert holder.current.version == "1"
    assert holder.failure is not None and holder.failure.version == "2"
    assert "model files are gone" in holder.failure.message
    holder.refresh()  # the same broken version is not loaded again on every poll
    points["version"] = "3"
    assert holder.refresh() and holder.current.version == "3" and holder.failure is None
    assert loads == ["1", "2", "3"]
    assert heard == [("1", None), ("1", "2"), ("3", None)]


class _Recorder:
    """A scorer's `decide` that notes where and how it was called; busy once when asked
    not to wait, like a model explaining another request."""

    def __init__(self, busy: bool = False) -> None:
        self.calls: list[tuple[str, bool]] = []
        self.busy = busy

    def __call__(self, frame: Any, k: int, wait: bool = True) -> Any:
        import threading

        import numpy as np

        from credit_runtime.model import Decided

        self.calls.append((threading.current_thread().name, wait))
        if self.busy and not wait:
            return None
        p = np.full(len(frame), 0.1)
        return Decided(p, p >= 0.5, np.full(len(frame), 640.0), [[None] * len(frame)] * k)


def _service(decide: _Recorder, version: str = "1", *, quick: bool = True) -> Any:
    from credit_mlops.serve.app import Limits, Service
    from credit_mlops.serve.follow import Served
    from credit_mlops.serve.metrics import make_metrics

    ref = ModelRef(f"models:/m/{version}", f"run{version}", "m", version)
    scorer = Scorer(0.5, (5.0, 1.0), "d", decide, quick=quick)
    holder = Holder("m@production", lambda: ref, lambda r: scorer)
    holder.current = Served(ref, scorer, "now")
    return Service(holder, None, make_metrics(), Limits(4, 10_000, 10), None, None, 3600)


class _Client:
    """POSTs JSON straight to the ASGI application, on an asyncio loop in this thread (the
    one event loop a server runs; the thread pool is Starlette's own)."""

    def __init__(self, service: Any) -> None:
        from credit_mlops.serve.app import build_app

        self.app = build_app(service)

    def post(self, path: str, data: object) -> tuple[int, Any]:
        import asyncio

        return asyncio.run(self._post(path, json.dumps(data).encode()))

    async def _post(self, path: str, body: bytes) -> tuple[int, Any]:
        route, _, query = path.partition("?")
        scope = {
            "type": "http", "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": route, "raw_path": route.encode(), "query_string": query.encode(),
            "root_path": "", "server": ("127.0.0.1", 8080), "client": ("127.0.0.1", 1),
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
        }  # fmt: skip
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return status, json.loads(data)


def test_a_few_applicants_of_a_quick_model_are_decided_on_the_event_loop() -> None:
    decide = _Recorder()
    client = _Client(_service(decide))
    assert client.post("/v1/decisions", APPLICANT)[0] == 200
    assert client.post("/v1/decisions", [APPLICANT] * 5)[0] == 200
    (loop_thread, waited), (pool_thread, pool_waited) = decide.calls
    assert not waited and pool_waited  # the loop never waits for a lock; the pool may
    assert loop_thread == threading.current_thread().name != pool_thread


def test_a_slow_model_is_decided_in_the_pool() -> None:
    decide = _Recorder()
    client = _Client(_service(decide, quick=False))
    assert client.post("/v1/decisions", APPLICANT)[0] == 200
    assert client.post("/v1/decisions?reasons=0", APPLICANT)[0] == 200
    assert [waited for _, waited in decide.calls] == [True, False]  # no reasons: quick
    assert decide.calls[0][0] != threading.current_thread().name == decide.calls[1][0]


def test_a_request_that_would_wait_for_the_explaining_lock_goes_to_the_pool() -> None:
    decide = _Recorder(busy=True)
    status, answer = _Client(_service(decide)).post("/v1/decisions", APPLICANT)
    assert status == 200 and len(answer["decisions"]) == 1
    assert [waited for _, waited in decide.calls] == [False, True]
    assert decide.calls[0][0] != decide.calls[1][0]


def test_a_request_is_answered_by_the_version_it_started_with() -> None:
    from credit_mlops.serve.app import _decide

    old = _service(_Recorder(), "1")
    new = _service(_Recorder(), "2")
    started_with = old.holder.current
    old.holder.current = new.holder.current  # a promotion lands mid-request
    answer = _decide(old, started_with, "r", _parse(json.dumps(APPLICANT).encode()))
    assert answer is not None and answer["model"]["version"] == "1"


def test_the_journal_records_the_model_description_s_names_for_its_aliases(
    tmp_path: Path,
) -> None:
    """A client may send a column under an alias its model's description accepts; the
    journal writes the description's own name (what `credit monitor --served` reads), from
    the served model's description, whatever data set it describes."""
    import numpy as np

    from credit_mlops.serve.answers import journal_rows
    from credit_mlops.serve.follow import Served
    from credit_runtime.model import Decided

    ref = ModelRef("models:/m/1", "run1", "m", "1")
    scorer = Scorer(
        0.5, (5.0, 1.0), "d", lambda f, k: None, quick=True, aliases={"income_eur": "income"}
    )
    out = Decided(np.array([0.2]), np.array([False]), np.array([600.0]), [])
    [row] = journal_rows("rid", Served(ref, scorer, "now"), [{"income_eur": 3, "age": 40}], out)
    assert row["income"] == 3 and row["age"] == 40 and "income_eur" not in row
    assert (row["decision"], row["model"], row["version"]) == ("accept", "m", "1")


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({**APPLICANT, "\ud800": 1}).encode(),
        json.dumps({**APPLICANT, "gastarb": "\ud800"}).encode(),
        b'{"laufkont": 1, "hoehe": "\xed\xa0\x80"}',
    ],
)
def test_a_lone_surrogate_is_refused_as_not_text(body: bytes) -> None:
    with pytest.raises(RequestError, match="lone UTF-16 surrogate") as info:
        _parse(body)
    assert info.value.status == 400


def test_a_huge_reasons_or_number_is_one_short_line() -> None:
    body = json.dumps(APPLICANT).encode()
    with pytest.raises(RequestError, match="whole number from 0 to 20") as info:
        _parse(body, {"reasons": "9" * 5000})
    assert info.value.status == 422 and len(info.value.message) < 200
    with pytest.raises(RequestError) as info:
        _parse(b'{"laufkont": ' + b"9" * 4400 + b"}")
    assert info.value.status == 400
    assert "more digits than any value may have" in info.value.message
    assert "sys." not in info.value.message


def test_reasons_given_twice_in_the_query_is_refused() -> None:
    from starlette.datastructures import QueryParams

    with pytest.raises(RequestError, match="more than once"):
        _parse(json.dumps(APPLICANT).encode(), QueryParams("reasons=1&reasons=2"))  # type: ignore[arg-type]


def test_a_refusal_never_echoes_a_huge_value_or_name_whole() -> None:
    error = RequestError(422, "row 0, column 'gastarb': '" + "x" * 900_000 + "' is not a code")
    assert len(error.message) <= 300 and "900" in error.message and error.column == "gastarb"
    named = RequestError(422, "unknown column(s) " + "k" * 900_000, "k" * 900_000)
    assert len(json.dumps(named.body())) < 500


def test_the_journal_keeps_the_values_the_model_decided_on() -> None:
    """A number sent as text (" 1049 ", "2") is journaled as the number the model read, so
    one client cannot make the served journal unreadable for `credit monitor --served`."""
    import numpy as np
    import pandas as pd

    from credit_mlops.serve.answers import journal_rows
    from credit_mlops.serve.follow import Served
    from credit_runtime.model import Decided

    ref = ModelRef("models:/m/1", "run1", "m", "1")
    scorer = Scorer(0.5, (5.0, 1.0), "d", lambda f, k: None, quick=True)
    checked = pd.DataFrame({"hoehe": [1049], "gastarb": [2], "income": [np.nan]})
    out = Decided(np.array([0.2]), np.array([False]), np.array([600.0]), [], checked)
    sent = [{"hoehe": " 1049 ", "gastarb": "2", "income": None}]
    [row] = journal_rows("rid", Served(ref, scorer, "now"), sent, out)
    assert (row["hoehe"], row["gastarb"], row["income"]) == (1049, 2, None)
    numbers = [{"hoehe": 1049, "gastarb": 2}]
    [row] = journal_rows("rid", Served(ref, scorer, "now"), numbers, out)
    assert row["hoehe"] == 1049 and "income" not in row  # as sent: nothing to convert


def test_the_default_reasons_are_capped_to_the_served_models_columns() -> None:
    """serve.reasons (4) on a model of 3 columns: a request without `reasons` gets 3 (it was
    refused as asking for 4, which the client never did)."""
    from credit_mlops.serve.app import Limits, Service
    from credit_mlops.serve.follow import Served
    from credit_mlops.serve.metrics import make_metrics

    asked: list[int] = []

    def decide(frame: Any, k: int, wait: bool = True) -> Any:
        asked.append(k)
        return _Recorder()(frame, k, wait)

    ref = ModelRef("models:/m/1", "run1", "m", "1")
    scorer = Scorer(0.5, (5.0, 1.0), "d", decide, quick=False, most_reasons=3)
    holder = Holder("m@production", lambda: ref, lambda r: scorer)
    holder.current = Served(ref, scorer, "now")
    service = Service(holder, None, make_metrics(), Limits(4, 10_000, 10), None, None, 3600)
    status, _ = _Client(service).post("/v1/decisions", APPLICANT)
    assert status == 200 and asked == [3]
