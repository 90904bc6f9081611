"""A promotion record read back from a version tag (`credit.promotion.*`) holds every field
with the type `credit promote` writes; anything else is one line, exit 2, naming the model,
version and tag, before `promote --history` or `credit report` formats it."""

from __future__ import annotations

import json

import pytest

from credit_mlops.errors import InputError
from credit_mlops.lifecycle.promotion import Promotion, history, record_tags
from credit_mlops.tracking.records import VersionRecord

GOOD = Promotion(
    name="lr",
    version="1",
    from_stage="None",
    to_stage="Production",
    at="2026-12-07T10:00:00.000001+00:00",
    by="ana",
    metric="roc_auc_test_mean",
    candidate=0.78,
    current=0.75,
    current_version="3",
    forced=False,
    archived=("3",),
    note="",
)


def tagged(**changes: object) -> tuple[VersionRecord, str]:
    """A version whose promotion tag has `changes` applied to a genuine record."""
    key, value = next(iter(record_tags(GOOD).items()))
    record = {**json.loads(value), **changes}
    return VersionRecord("lr", "1", "r1", "Production", tags={key: json.dumps(record)}), key


def test_a_record_the_tool_wrote_reads_back_as_written() -> None:
    version, _ = tagged()
    assert history("lr", [version]) == [GOOD]
    older, _ = tagged()  # a record without the fields later versions added
    record = json.loads(next(iter(older.tags.values())))
    del record["archived"], record["note"]
    older = VersionRecord(
        "lr", "1", "r1", "Production", tags={"credit.promotion.x": json.dumps(record)}
    )
    assert history("lr", [older])[0].archived == ()


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"candidate": "=1+1"}, "candidate is not a number"),
        ({"candidate": [1]}, "candidate is not a number"),
        ({"candidate": True}, "candidate is not a number"),
        ({"current": "x"}, "current is not a number"),
        ({"current": float("nan")}, "current is not a finite number"),
        ({"candidate": float("inf")}, "candidate is not a finite number"),
        ({"at": "yesterday"}, "at is not an ISO time"),
        ({"at": 5}, "at is not a text"),
        ({"to_stage": "Bogus"}, "to_stage is not one of"),
        ({"from_stage": None}, "from_stage is not one of"),
        ({"archived": "x"}, "archived is not a list of versions"),
        ({"archived": [1]}, "archived is not a list of versions"),
        ({"forced": "yes"}, "forced is not true or false"),
        ({"by": ["a"]}, "by is not a text"),
        ({"metric": ""}, "metric is not a text"),
        ({"current_version": 3}, "current_version is not a text"),
        ({"note": None}, "note is not a text"),
        ({"extra": 1}, "unknown field 'extra'"),
        ({"name": "other"}, "unknown field 'name'"),
    ],
)
def test_a_field_of_the_wrong_type_is_one_line_naming_the_tag(
    changes: dict[str, object], why: str
) -> None:
    version, key = tagged(**changes)
    with pytest.raises(InputError) as info:
        history("lr", [version])
    message = str(info.value)
    assert message.startswith(f"tag {key} of lr v1 is not one the tool wrote ({why}")
    assert message.endswith("; remove or correct that tag in the registry")
    assert "\n" not in message


def test_a_missing_field_is_named() -> None:
    version, key = tagged()
    record = json.loads(version.tags[key])
    del record["forced"]
    broken = VersionRecord("lr", "1", "r1", "Production", tags={key: json.dumps(record)})
    with pytest.raises(InputError, match="forced is missing"):
        history("lr", [broken])
