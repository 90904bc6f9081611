"""What `credit serve` takes at its start and answers stays strict: a token no HTTP client
can send is refused before anything listens, and NaN or infinity never reaches an answer
or the journal (strict JSON), whether a client sends it or a model gives it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import SecretStr
from tests.unit.serve.test_serve_requests import APPLICANT, _Client, _parse, _service
from typer.testing import CliRunner

from credit_mlops.errors import ConfigError
from credit_mlops.serve.journal import Journal, JournalFailure, Privacy, journal_files
from credit_mlops.serve.payload import RequestError
from credit_mlops.serve.security import authorised, resolve_token
from credit_runtime.model import Decided

GOOD = "A1b2-C3d4.E5f6_G7h8~I9j0+K/L=="  # every character RFC 6750's b64token allows


@pytest.mark.parametrize(
    "token",
    [
        "abcdefgh\x1b[31mijklmnop",  # ESC: a terminal control
        "abcdefgh\x00ijklmnop",
        "abcdefgh\tijklmnop",
        "abcdefgh ijklmnop",  # a space: the header would split it
        "abcdefghijklmnop\u00e9\u00e9",  # not ASCII
        "abcdefgh=ijklmnop",  # '=' only at the end
        "abcdefgh\"ijklmnop",
        "abcdefgh,ijklmnop",
    ],
)  # fmt: skip
def test_a_token_no_client_can_send_is_refused_and_never_shown(tmp_path: Path, token: str) -> None:
    with pytest.raises(ConfigError) as from_env:
        resolve_token(SecretStr(token), None)
    message = str(from_env.value)
    assert "CREDIT_SERVE__TOKEN" in message and "Authorization: Bearer" in message
    assert token not in message and "ijklmnop" not in message and "\n" not in message
    (tmp_path / "token").write_text(token + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"serve\.token_file .* holds characters") as in_file:
        resolve_token(None, tmp_path / "token")
    assert "ijklmnop" not in str(in_file.value)


def test_a_newline_inside_the_token_setting_is_refused() -> None:
    with pytest.raises(ConfigError, match="holds characters"):
        resolve_token(SecretStr("abcdefgh\nijklmnop"), None)


def test_every_b64token_character_is_taken_and_authorises() -> None:
    assert resolve_token(SecretStr(GOOD), None) == GOOD
    assert resolve_token(SecretStr(f"  {GOOD}\n"), None) == GOOD  # blanks around: trimmed
    assert authorised(f"Bearer {GOOD}", GOOD)


def test_credit_serve_refuses_the_token_at_start_exit_2_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_mlops.cli.main import app

    monkeypatch.setenv("CREDIT_SERVE__TOKEN", "abcdefgh\x1bijklmnop-secret")
    result = CliRunner().invoke(app, ["serve", "m@production"])
    assert result.exit_code == 2, result.output
    assert "CREDIT_SERVE__TOKEN" in result.output and "ijklmnop" not in result.output
    assert "\x1b" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"laufkont": NaN}',
        b'{"laufkont": Infinity}',
        b'{"laufkont": -Infinity}',
        b'{"hoehe": 1e999}',
        b'[{"hoehe": 1}, {"hoehe": -1e400}]',
    ],
)
def test_nan_and_infinity_in_a_body_are_not_json(body: bytes) -> None:
    with pytest.raises(RequestError) as caught:
        _parse(body)
    assert caught.value.status == 400 and "not JSON this service reads" in caught.value.message


class _NotANumber:
    """A model's decide that gives NaN for P(bad) or the score (a damaged scale would)."""

    def __init__(self, which: str) -> None:
        self.which = which

    def __call__(self, frame: Any, k: int, wait: bool = True) -> Decided:
        p = np.full(len(frame), 0.1)
        score = np.full(len(frame), 640.0)
        bad = {"nan": np.nan, "inf": np.inf}[self.which.split("-")[1]]
        if self.which.startswith("p"):
            p[-1] = bad
        else:
            score[-1] = bad
        return Decided(p, p >= 0.5, score, [[None] * len(frame)] * k)


@pytest.mark.parametrize("which", ["p-nan", "score-nan", "score-inf"])
def test_a_model_answering_nan_decides_nothing_and_journals_nothing(
    tmp_path: Path, which: str
) -> None:
    service = _service(_NotANumber(which))  # type: ignore[arg-type]
    service.journal = Journal(tmp_path, rotate_bytes=1 << 20, privacy=Privacy())
    status, answer = _Client(service).post("/v1/decisions", [APPLICANT, APPLICANT])
    assert status == 500 and "not a finite number" in answer["error"]
    assert "train and register the model again" in answer["error"]
    assert all(f.stat().st_size == 0 for f in journal_files(tmp_path))


def test_the_journal_never_writes_nan(tmp_path: Path) -> None:
    journal = Journal(tmp_path, rotate_bytes=1 << 20, privacy=Privacy())
    journal.record([{"row": 0, "p_bad": 0.2, "score": 600.0}])
    with pytest.raises(JournalFailure, match="not a finite number"):
        journal.record([{"row": 0, "p_bad": 0.2, "score": float("nan")}])
    assert journal.failure is None  # the journal itself is fine: the next write goes in
    journal.record([{"row": 1, "p_bad": 0.3, "score": 590.0}])
    journal.close()
    lines = b"".join(f.read_bytes() for f in journal_files(tmp_path)).splitlines()
    strict = [json.loads(line, parse_constant=_refuse) for line in lines]
    assert [r["row"] for r in strict] == [0, 1]


def _refuse(name: str) -> None:
    raise AssertionError(f"{name} in the journal")
