"""Profiles and settings that come in hostile or wrong: a TOML file nested 50,000 deep, and a
wrong value inside a setting given as JSON in one environment variable (the variable is named,
never `default`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.config.loader import load_settings
from credit_mlops.errors import ConfigError, InputError

DEEP = "[train]\nmodels = " + "[" * 50_000 + "]" * 50_000 + "\n"


def one_error_line(result: object, *needles: str) -> str:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    lines = [line for line in result.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.mark.parametrize(
    "text",
    [DEEP, "x = " + "{a = " * 50_000 + "}" * 50_000, "x = " + "[{a = " * 20_000 + "}]" * 20_000],
)
def test_toml_nested_too_deep_is_the_callers_refusal(text: str) -> None:
    from credit_mlops.data.description_codes import TOO_DEEP, parse_toml

    with pytest.raises(InputError, match=f"^f.toml: {TOO_DEEP}$"):
        parse_toml(text, lambda why: InputError(f"f.toml: {why}"))


def test_a_malformed_toml_is_the_callers_refusal_too() -> None:
    from credit_mlops.data.description_codes import parse_toml

    with pytest.raises(InputError, match=r"^f.toml: Expected '=' .*line 1"):
        parse_toml("name\n", lambda why: InputError(f"f.toml: {why}"))


def test_a_profile_nested_too_deep_names_the_file(project: Path) -> None:
    (project / "configs" / "local.toml").write_text(DEEP)
    with pytest.raises(ConfigError, match=r"configs/local.toml: malformed TOML \(nested too deep"):
        load_settings()


def test_credit_config_show_refuses_a_deep_profile_in_one_line(project: Path) -> None:
    (project / "configs" / "local.toml").write_text(DEEP)
    result = CliRunner().invoke(app, ["config", "show"])
    one_error_line(result, "local.toml: malformed TOML (nested too deep", "fix the file")


@pytest.mark.parametrize(
    ("variable", "value", "wanted"),
    [
        (
            "CREDIT_TRACKING__TAGS",
            '{"team_size": 5}',
            "env CREDIT_TRACKING__TAGS: key 'tracking.tags.team_size': must be a string "
            '(write "5", in quotes)',
        ),
        (
            "CREDIT_TRACKING__TAGS",
            '{"reviewed": true}',
            "env CREDIT_TRACKING__TAGS: key 'tracking.tags.reviewed': must be a string "
            '(write "true", in quotes)',
        ),
        (
            "CREDIT_TRAIN__MODELS",
            '["xgboost", 5]',
            "env CREDIT_TRAIN__MODELS: key 'train.models.1': must be a string",
        ),
        (
            "CREDIT_FAIRNESS__BANDS",
            '{"alter": ["x"]}',
            "env CREDIT_FAIRNESS__BANDS: key 'fairness.bands.alter.0'",
        ),
        ("CREDIT_TRAIN", '{"cv_folds": "x"}', "env CREDIT_TRAIN: key 'train.cv_folds'"),
    ],
)
def test_a_wrong_value_inside_a_json_variable_names_that_variable(
    project: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, wanted: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(wanted), str(caught.value)


def test_a_number_as_a_tag_in_the_profile_names_the_profile(project: Path) -> None:
    (project / "configs" / "local.toml").write_text("[tracking.tags]\nteam_size = 5\n")
    with pytest.raises(ConfigError, match=r"configs/local.toml: key 'tracking.tags.team_size'"):
        load_settings()


def test_config_show_names_the_tags_variable_and_the_fix(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_TRACKING__TAGS", '{"team_size": 5}')
    result = CliRunner().invoke(app, ["config", "show"])
    one_error_line(result, "env CREDIT_TRACKING__TAGS", "team_size", 'must be a string (write "5"')


def test_provenance_names_the_variable_a_json_section_came_from(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_TRAIN", '{"cv_folds": 4}')
    monkeypatch.setenv("CREDIT_TRACKING__TAGS", '{"team": "risk"}')
    settings = load_settings()
    assert settings.train.cv_folds == 4
    assert settings.provenance["train.cv_folds"] == "env CREDIT_TRAIN"
    assert settings.provenance["tracking.tags"] == "env CREDIT_TRACKING__TAGS"


@pytest.mark.parametrize("text", ["yes", "on", "y", "t", "enable"])
def test_a_true_or_false_is_never_read_from_other_words(
    project: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """`trust_preprocessor_code = "on"` must not turn on running a file's code: a profile's
    or an environment variable's true/false is written true or false (or 1 / 0)."""
    from credit_mlops.config.loader import load_settings
    from credit_mlops.errors import ConfigError

    (project / "configs" / "local.toml").write_text(
        f'[train]\ntrust_preprocessor_code = "{text}"\n'
    )
    with pytest.raises(ConfigError, match="expected true or false"):
        load_settings()
    (project / "configs" / "local.toml").write_text("")
    monkeypatch.setenv("CREDIT_TRAIN__INNER_SEARCH", text)
    with pytest.raises(ConfigError, match="CREDIT_TRAIN__INNER_SEARCH"):
        load_settings()
    monkeypatch.setenv("CREDIT_TRAIN__INNER_SEARCH", "False")
    assert load_settings().train.inner_search is False


@pytest.mark.parametrize(
    "text", ["[TRAIN]\ncv_folds = 3\n", "[train]\n[Train]\n", "MODEL_VERSION = '1.0.0'\n"]
)
def test_section_and_setting_names_are_lower_case(project: Path, text: str) -> None:
    from credit_mlops.config.loader import load_settings
    from credit_mlops.errors import ConfigError

    (project / "configs" / "local.toml").write_text(text)
    with pytest.raises(ConfigError, match="is not lower case"):
        load_settings()


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('train.seed = "42"', "train.seed"),
        ('cost.accept_bad = "5"', "cost.accept_bad"),
        ('serve.port = "8080"', "serve.port"),
        ('[fairness]\nmin_group_size = "30"', "fairness.min_group_size"),
    ],
)
def test_a_profile_keeps_tomls_types(project: Path, line: str, key: str) -> None:
    """TOML says which values are numbers: text where a number belongs is refused (in the
    environment, always text, it still parses)."""
    (project / "configs" / "t.toml").write_text(line + "\n")
    with pytest.raises(ConfigError, match=rf"t\.toml: key '{key}': expected a number, not the"):
        load_settings("t")


def test_the_same_text_parses_from_the_environment(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_TRAIN__SEED", "42")
    assert load_settings().train.seed == 42


@pytest.mark.parametrize(("size", "expected"), [(3 << 20, "larger than 1 MB"), (4096, "binary")])
def test_a_huge_or_binary_profile_is_refused_without_reading_it_whole(
    project: Path, size: int, expected: str
) -> None:
    path = project / "configs" / "big.toml"
    with path.open("wb") as fh:
        fh.truncate(size)  # sparse: NUL bytes
    with pytest.raises(ConfigError, match=expected):
        load_settings("big")


def test_two_imbalance_remedies_name_settings_every_command_has(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set in the environment, the clash is refused by every command (tune, config show):
    the fix names the settings, not a flag only `credit train` has."""
    monkeypatch.setenv("CREDIT_TRAIN__CLASS_WEIGHT", "true")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "train.smote = false" in message and "train.class_weight = false" in message
    assert "drop --class-weight" not in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[train]\ncv_folds = 3.0", "expected a whole number, not 3.0"),
        ("[serve]\nport = 5800.0", "expected a whole number, not 5800.0"),
        ("[train]\ncv_folds = {}", "expected a single value, not a table"),
        ("[train]\ntest_size = {}", "expected a single value, not a table"),
    ],
)
def test_a_profile_value_of_the_wrong_toml_type_names_the_file(
    project: Path, line: str, expected: str
) -> None:
    """3.0 is no count (it was read as 3), and an empty table is no value (it was blamed on
    the defaults, which the user cannot fix)."""
    (project / "configs" / "t.toml").write_text(line + "\n")
    with pytest.raises(ConfigError, match=rf"t\.toml: key '.*': {expected}"):
        load_settings("t")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CREDIT_SERVE__JOURNAL_DIR", " "),
        ("CREDIT_SERVE__TOKEN_FILE", ""),
        ("CREDIT_TRACKING__STORE_DIR", "  "),
        ("CREDIT_DATA__PATH", ""),
    ],
)
def test_a_blank_path_setting_is_refused_by_name(
    project: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """A blank path would be the project folder itself, or a file named by spaces."""
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(app, ["config", "show"])
    one_error_line(result, variable, "is empty: give a path, or leave the setting out")


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("CREDIT_TRAIN__SEED", "٤٢", "expected a whole number, not the text '٤٢'"),
        ("CREDIT_COST__ACCEPT_BAD", "٥", "expected a number, not the text '٥'"),
        ("CREDIT_COST__ACCEPT_BAD", "five", "expected a number, not the text 'five'"),
    ],
)
def test_a_number_from_the_environment_is_ascii_digits_said_in_our_words(
    project: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(app, ["config", "show"])
    one_error_line(result, f"env {variable}", said)


def test_a_search_space_for_a_model_that_does_not_exist_is_refused(project: Path) -> None:
    """A typo in [tune.space.<model>] would leave the override unused without a word."""
    (project / "configs" / "local.toml").write_text(
        "[tune.space.xgbost]\nmax_depth = { low = 2, high = 6 }\n"
    )
    result = CliRunner().invoke(app, ["config", "show"])
    one_error_line(result, "tune.space.xgbost: no model is called 'xgbost' (models: ")


def test_a_rule_between_settings_names_each_with_its_own_source(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """class_weight from the environment, smote by default, the profile setting only other
    train keys: the refusal names those two settings and their sources, not the profile."""
    (project / "configs" / "local.toml").write_text('[train]\nmodels = ["xgboost"]\n')
    monkeypatch.setenv("CREDIT_TRAIN__CLASS_WEIGHT", "true")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    text = str(caught.value)
    assert text.startswith(
        "train.smote (default) and train.class_weight (env CREDIT_TRAIN__CLASS_WEIGHT): "
    ), text
    assert "configs/local.toml" not in text
    with pytest.raises(InputError) as by_flag:  # a flag's part in it makes it the user's input
        load_settings(overrides={"train": {"class_weight": True}})
    assert "train.class_weight (flag)" in str(by_flag.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("CREDIT_TRACKING__TAGS", "[" * 3000), ("CREDIT_TRAIN__MODELS", "[" * 100_000)],
)
def test_json_nested_too_deep_in_the_environment_is_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["config", "show"])
    assert result.exit_code == 2, result.output
    one_error_line(result, f"environment: {name} holds JSON nested too deep to read")
