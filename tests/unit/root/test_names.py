"""Names checked before work, and the one function that turns a user string into a path
component."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit_mlops import names
from credit_mlops.errors import InputError
from credit_mlops.names import safe_component


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("a:b", "contains ':'"),
        ("team/model", "contains '/'"),
        ("@SUM(A1)", "starts an alias"),
        ("model@v2", "contains '@'"),
        ("a?b", "contains '\\?', which a models:/ URI reads as a query"),
        ("a#b", "contains '#'"),
        ("a%2Fb", "contains '%'"),
        ("a\\b", "contains"),
        ("", "is empty"),
        ("   ", "is empty"),
        (" lead", "starts or ends with spaces"),
        ("..", "not a plain name"),
        ("..foo", "not a plain name"),
        ("...", "not a plain name"),
        ("..x.y", "not a plain name"),
        (".", "not a plain name"),
        ("a\nb", "control character"),
        ("a\tb", "control character"),
        ("a\x00b", "control character"),
        ("a\u2028b", "control character"),
        ("x" * 251, "the limit is 250"),
        ("o'brien", "which the registry's searches cannot name"),
        ('say "x"', "which the registry's searches cannot name"),
        ("a`b", "which the registry's searches cannot name"),
    ],
)
def test_registered_model_names_the_registry_would_refuse(name: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        names.registered_model(name, flag="--mlflow-reg-name")
    assert str(caught.value).startswith("--mlflow-reg-name: ")
    assert "\n" not in str(caught.value).replace(repr(name), "")


@pytest.mark.parametrize("name", ["xgboost", "credit-risk.v2", "Modèle_crédit", "x" * 250])
def test_registered_model_names_that_pass(name: str) -> None:
    assert names.registered_model(name) == name


@pytest.mark.parametrize(
    "rule", [names.run_name, names.experiment, names.study], ids=["run", "experiment", "study"]
)
@pytest.mark.parametrize("bad", ["", "a\nb", "a\rb", "\x1b[31mred", " x "])
def test_run_experiment_and_study_names_refuse_empty_and_control(rule, bad: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        rule(bad, flag="--x")


@pytest.mark.parametrize(
    "rule", [names.run_name, names.experiment, names.study], ids=["run", "experiment", "study"]
)
def test_slashes_and_markup_are_names_not_paths(rule) -> None:  # type: ignore[no-untyped-def]
    # Accepted as names: escaping and safe_component keep them harmless where shown or stored.
    for ok in ["team/run1", "/../../x", "<img src=x onerror=alert(1)>", "=1+1"]:
        assert rule(ok, flag="--x") == ok


def test_a_settings_validator_drops_the_flag_and_raises_value_error() -> None:
    with pytest.raises(ValueError, match=r"^experiment name is empty"):
        names.setting(names.experiment, "")
    assert names.setting(names.study, None) is None


@pytest.mark.parametrize(
    "text",
    [
        "/../../../x",
        "team/run1",
        "..",
        ".",
        "",
        "a\\b",
        "a\x00b",
        "a\nb",
        "C:\\Windows",
        "ünï cødé",
        ".hidden",
        "x" * 500,
        "~root",
        "$HOME",
    ],
)
def test_safe_component_stays_one_plain_component(tmp_path: Path, text: str) -> None:
    part = safe_component(text)
    assert part and "/" not in part and "\\" not in part and "\x00" not in part
    assert not part.startswith(".")
    assert len(part) <= 60 + 9
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in part)
    made = tmp_path / part
    made.mkdir()
    assert made.resolve().parent == tmp_path.resolve()


def test_safe_component_keeps_a_plain_name_and_separates_different_ones() -> None:
    assert safe_component("train_xgboost_20261128") == "train_xgboost_20261128"
    assert safe_component("team/run1") != safe_component("team_run1")
    assert safe_component("a/b") != safe_component("a\\b")
    assert safe_component("team/run1") == safe_component("team/run1")  # stable


@pytest.mark.parametrize(
    "tags",
    [{"a\nb": "x"}, {"<img>": "x"}, {"": "x"}, {" lead": "x"}, {"x" * 251: "v"}, {"k": "v" * 8001}],
)
def test_tags_the_store_would_refuse(tags: dict[str, str]) -> None:
    with pytest.raises(InputError, match=r"tracking\.tags: tag"):
        names.tags(tags)


def test_tags_the_store_accepts() -> None:
    ok = {"team": "risk", "data/source:v2": "x", "a b.c-d_e": "=1+1 <b>", "k": "v" * 8000}
    assert names.tags(ok) == ok


@pytest.mark.parametrize("key", ["a/../b", "/x", "a//b", "a/./b", "x/"])
def test_a_tag_name_the_store_would_read_as_a_path_is_refused(key: str) -> None:
    with pytest.raises(InputError, match="not valid"):
        names.tags({key: "v"}, flag="--mlflow-tags")


def test_a_huge_tag_name_is_shown_cut_short() -> None:
    with pytest.raises(InputError) as caught:
        names.tags({"k" * 1_000_000 + "\n": "v"}, flag="--mlflow-tags")
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    "column",
    ["laufkont", "../../evil", "=cmd|' /C calc'!A0", "a b", "x" * 400, "größe", "", "a//b", "/x"],
)
def test_a_column_name_makes_a_metric_key_the_store_takes(column: str) -> None:
    """Explanation and monitoring runs log one metric per data column: the column's name,
    whatever it is, becomes a key MLflow takes (it refused `psi_../../evil` after the work)."""
    from mlflow.utils.validation import _validate_metric_name

    from credit_mlops.names import key_part

    for prefix in ("psi_", "holdout_mean_abs_"):
        key = prefix + key_part(column)
        _validate_metric_name(key)
        assert len(key) <= 250


def test_different_columns_never_share_a_metric_key() -> None:
    from credit_mlops.names import key_part

    columns = ["a b", "a_b", "a/b", "a.b", "A b", "a  b"]
    assert len({key_part(c) for c in columns}) == len(columns)
    assert key_part("laufkont") == "laufkont"  # a plain name is kept as it is
