"""The target grammar, without a store."""

from __future__ import annotations

import pytest

from credit_mlops.errors import InputError
from credit_mlops.lifecycle.targets import (
    AliasTarget,
    LatestTarget,
    LoggedModelTarget,
    RunTarget,
    StageTarget,
    VersionTarget,
    canonical_stage,
    parse_target,
)

MODEL_ID = "m-" + "0123456789abcdef" * 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("xgboost", LatestTarget("xgboost")),
        ("xgboost/3", VersionTarget("xgboost", "3")),
        ("xgboost/latest", LatestTarget("xgboost")),
        ("xgboost/LATEST", LatestTarget("xgboost")),
        ("xgboost/production", StageTarget("xgboost", "Production")),
        ("xgboost/Staging", StageTarget("xgboost", "Staging")),
        ("xgboost/none", StageTarget("xgboost", "None")),
        ("xgboost@champion", AliasTarget("xgboost", "champion")),
        ("models:/xgboost/2", VersionTarget("xgboost", "2")),
        ("models:/xgboost@production", AliasTarget("xgboost", "production")),
        ("models:/xgboost/Production", StageTarget("xgboost", "Production")),
        (f"models:/{MODEL_ID}", LoggedModelTarget(MODEL_ID)),
        ("runs:/abc123", RunTarget("abc123", None, "runs:/abc123")),
        ("runs:/abc123/", RunTarget("abc123", None, "runs:/abc123/")),
        ("runs:/abc123/model", RunTarget("abc123", "model", "runs:/abc123/model")),
        ("  my-model/7 ", VersionTarget("my-model", "7")),
    ],
)
def test_grammar(text: str, expected: object) -> None:
    assert parse_target(text) == expected


def test_a_logged_model_id_needs_the_models_prefix() -> None:
    assert parse_target(MODEL_ID) == LatestTarget(MODEL_ID)


def test_neither_version_latest_nor_stage_is_refused() -> None:
    with pytest.raises(InputError, match=r"'beta' in 'xgboost/beta' is neither a version number"):
        parse_target("xgboost/beta")


@pytest.mark.parametrize(
    ("given", "stage"),
    [("staging", "Staging"), ("PRODUCTION", "Production"), (" archived ", "Archived")],
)
def test_canonical_stage(given: str, stage: str) -> None:
    assert canonical_stage(given) == stage


def test_unknown_stage_lists_the_choices() -> None:
    with pytest.raises(
        InputError, match=r"unknown stage 'prod' \(choose from: Staging, Production"
    ):
        canonical_stage("prod")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("models:/x/1/../../y/1", "contains '/'"),
        ("x/../y/1", "contains '/'"),
        ("team/xgboost/4", "contains '/'"),
        ("", "target is empty"),
        ("   ", "target is empty"),
        ("models:/", "registered model name is empty"),
        ("/3", "registered model name is empty"),
        ("@champion", "registered model name is empty"),
        ("xgboost@", "alias '' is not valid"),
        ("xgboost@ch/amp", "alias 'ch/amp' is not valid"),
        ("xgboost@a b", "alias 'a b' is not valid"),
        ("a:b/1", "contains ':'"),
        ("a@b@c", "contains '@'"),  # a name with an '@' could not be named by version
        ("..", "not a plain name"),
        ("x\ny/1", "control character"),
        ("runs:/", "is not a run id"),
        ("runs://model", "is not a run id"),
        ("runs:/../x/model", "is not a run id"),
        ("runs:/abc123/../../etc/passwd", "not a plain path inside the run"),
        ("runs:/abc123//model", "not a plain path inside the run"),
        ("runs:/abc123/./model", "not a plain path inside the run"),
        ("runs:/abc123/%2e%2e/%2e%2e/models/m-1/artifacts", "not a plain path inside the run"),
        ("runs:/abc123/%2E%2E/x", "not a plain path inside the run"),
        ("runs:/abc123/model\\..\\x", "not a plain path inside the run"),
    ],
)
def test_a_malformed_target_is_refused_before_any_store_is_asked(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_target(text)
