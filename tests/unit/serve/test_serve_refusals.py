"""A refusal of a huge value keeps its reason: the value is shown short (a float in its own
form, anything else cut), never the words that say why it is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from credit_mlops.serve.payload import LONGEST_MESSAGE, RequestError

REPO = Path(__file__).resolve().parents[3]
APPLICANT = {
    "laufkont": 1, "laufzeit": 18, "moral": 4, "verw": 2, "hoehe": 1049, "sparkont": 1,
    "beszeit": 2, "rate": 4, "famges": 2, "buerge": 1, "wohnzeit": 4, "verm": 2, "alter": 21,
    "weitkred": 3, "wohn": 1, "bishkred": 1, "beruf": 3, "pers": 2, "telef": 1, "gastarb": 2,
}  # fmt: skip


def _refusal(value: Any) -> RequestError:
    """The refusal `credit serve` answers for `value` as `hoehe`, worded by the runtime's
    own check of the shipped data description (what a served model runs)."""
    from credit_mlops.data.described import resolve
    from credit_runtime.description import Description
    from credit_runtime.errors import InvalidInput

    described = resolve(str(REPO / "configs/data/south-german-credit.toml"), REPO)
    runtime = Description.from_json(described.to_json())
    frame = pd.DataFrame.from_records([{**APPLICANT, "hoehe": value}])
    with pytest.raises(InvalidInput) as info:
        runtime.validate(frame)
    return RequestError(422, info.value.message, info.value.column)


def test_a_huge_float_is_shown_in_its_own_form_and_the_reason_survives() -> None:
    error = _refusal(1e308)
    assert error.message == "row 0, column 'hoehe': 1e+308 is above 1000000 (allowed: 1 to 1000000)"
    assert error.column == "hoehe"
    assert "1e+200 is above 1000000" in _refusal(1e200).message


@pytest.mark.parametrize("sent", [json.dumps("9" * 100_000), "9" * 100_000])
def test_a_100_000_digit_value_is_cut_and_the_reason_survives(sent: str) -> None:
    message = RequestError(422, f"row 0, column 'hoehe': {sent} is above 1000000").message
    assert message.endswith("is above 1000000") and len(message) <= LONGEST_MESSAGE
    assert "(100,00" in message  # its length is said
    as_text = _refusal("9" * 100_000)  # the 100,000 digits sent as text reach the check
    assert len(as_text.message) <= LONGEST_MESSAGE and as_text.column == "hoehe"
    assert as_text.message.startswith("row 0, column 'hoehe': '99")
    assert as_text.message.endswith(("is not a number", "is not a finite number"))


def test_a_message_of_many_short_words_loses_its_middle_not_its_end() -> None:
    message = RequestError(422, "row 0, column 'x': '" + "a " * 5000 + "' is not a code").message
    assert len(message) <= LONGEST_MESSAGE
    assert message.startswith("row 0, column 'x'") and message.endswith("is not a code")


@pytest.mark.parametrize("kind", ["device", "named pipe", "huge"])
def test_a_token_file_that_is_no_small_regular_file_is_one_line(tmp_path: Path, kind: str) -> None:
    """/dev/zero grew serve's memory without bound and a named pipe hung its start."""
    import os

    from credit_mlops.errors import ConfigError
    from credit_mlops.serve.security import resolve_token

    path = tmp_path / "token"
    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "named pipe":
        os.mkfifo(path)
    else:
        with path.open("wb") as fh:
            fh.truncate(1 << 30)  # sparse
    with pytest.raises(ConfigError, match=r"serve\.token_file .* cannot be read"):
        resolve_token(None, path)
