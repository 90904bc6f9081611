"""One test per precedence rule, plus the errors a profile file can cause."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from credit_mlops.config.loader import load_settings
from credit_mlops.errors import ConfigError, InputError
from credit_mlops.modeling.catalog import SEED_KEYS


def write_profile(project: Path, name: str, text: str) -> Path:
    path = project / "configs" / f"{name}.toml"
    path.write_text(text)
    return path


def test_defaults_without_any_profile_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert s.profile == "local"
    assert s.profile_file is None
    assert s.train.cv_folds == 5 and s.train.cv_repeats == 3
    assert s.train.smote_method == "BorderlineSMOTE"
    assert s.tracking_uri == f"sqlite:///{tmp_path / '.credit' / 'mlflow.db'}"
    assert s.provenance == {}


def test_profile_file_beats_defaults(project: Path) -> None:
    write_profile(project, "local", "[train]\ncv_folds = 7\n")
    s = load_settings()
    assert s.train.cv_folds == 7
    assert s.provenance["train.cv_folds"] == "configs/local.toml"


def test_env_beats_profile_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_profile(project, "local", "[train]\ncv_folds = 7\n")
    monkeypatch.setenv("CREDIT_TRAIN__CV_FOLDS", "9")
    s = load_settings()
    assert s.train.cv_folds == 9
    assert s.provenance["train.cv_folds"] == "env CREDIT_TRAIN__CV_FOLDS"


def test_flag_beats_env(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDIT_TRAIN__CV_FOLDS", "9")
    s = load_settings(overrides={"train": {"cv_folds": 3}})
    assert s.train.cv_folds == 3
    assert s.provenance["train.cv_folds"] == "flag"


def test_unset_flag_does_not_hide_env(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDIT_TRAIN__SEED", "11")
    s = load_settings(overrides={"train": {"seed": None, "cv_folds": None}})
    assert s.train.seed == 11


def test_seed_variables_keep_working(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5999")
    monkeypatch.setenv("MLFLOW_EXPERIMENT", "equipo-29")
    monkeypatch.setenv("MODEL_VERSION", "2.0.0")
    s = load_settings()
    assert s.tracking_uri == "http://127.0.0.1:5999"
    assert s.tracking.experiment == "equipo-29"
    assert s.model_version == "2.0.0"
    assert s.provenance["tracking.experiment"] == "env MLFLOW_EXPERIMENT"


def test_credit_variable_beats_seed_variable(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_EXPERIMENT", "from-seed")
    monkeypatch.setenv("CREDIT_TRACKING__EXPERIMENT", "from-credit")
    assert load_settings().tracking.experiment == "from-credit"


def test_seed_variable_beats_profile_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_EXPERIMENT", "from-seed")
    assert load_settings().tracking.experiment == "from-seed"  # local.toml sets credit-risk


def test_profile_from_environment(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDIT_PROFILE", "remote")
    s = load_settings()
    assert s.profile == "remote"
    assert s.tracking.uri == "http://127.0.0.1:5000"


def test_profile_flag_beats_profile_environment(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_PROFILE", "remote")
    assert load_settings("local").profile == "local"


def test_nested_dicts_merge_across_sources(project: Path) -> None:
    write_profile(project, "local", '[tracking]\ntags = { team_area = "risk" }\n')
    s = load_settings(overrides={"tracking": {"tags": {"run_kind": "baseline"}}})
    assert s.tracking.tags == {"team_area": "risk", "run_kind": "baseline"}


def test_unknown_profile_lists_the_available_ones(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"profile 'prod' not found .*\(have: local, remote\)"):
        load_settings("prod")


def test_unknown_key_names_file_and_key(project: Path) -> None:
    write_profile(project, "local", "[train]\ncv_fold = 3\n")
    with pytest.raises(ConfigError, match=r"configs/local.toml: key 'train.cv_fold': unknown key"):
        load_settings()


def test_wrong_type_names_file_and_key(project: Path) -> None:
    write_profile(project, "local", '[train]\ncv_folds = "many"\n')
    with pytest.raises(ConfigError, match=r"configs/local.toml: key 'train.cv_folds'"):
        load_settings()


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("[train]\nseed = true\n", "'train.seed': expected a number, not true"),
        ("[train]\ntest_size = false\n", "expected a number, not false"),
        ("[tracking]\nenabled = 1\n", "'tracking.enabled': expected true or false, not 1"),
    ],
)
def test_true_false_and_numbers_are_not_taken_for_each_other(
    project: Path, text: str, wrong: str
) -> None:
    write_profile(project, "local", text)
    with pytest.raises(ConfigError, match=re.escape(wrong)):
        load_settings()


def test_environment_text_still_reads_as_numbers_and_switches(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_TRAIN__SEED", "7")
    monkeypatch.setenv("CREDIT_TRACKING__ENABLED", "0")
    settings = load_settings()
    assert settings.train.seed == 7 and settings.tracking.enabled is False


def test_an_unknown_section_in_the_environment_is_named(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_TRIAN__CV_FOLDS", "3")  # a typo would be ignored silently
    with pytest.raises(ConfigError, match="env CREDIT_TRIAN__CV_FOLDS: unknown settings section"):
        load_settings()


def test_malformed_toml_names_the_file(project: Path) -> None:
    write_profile(project, "local", "[train\ncv_folds = 3\n")
    with pytest.raises(ConfigError, match=r"local.toml: malformed TOML"):
        load_settings()


def test_secret_in_profile_file_is_refused(project: Path) -> None:
    write_profile(project, "local", '[tracking]\npassword = "hunter2hunter2"\n')
    with pytest.raises(ConfigError, match=r"secret; set it in the environment") as info:
        load_settings()
    assert "hunter2" not in str(info.value)


def test_password_from_environment_is_masked(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "s3cret-Pa55word")
    s = load_settings()
    assert s.tracking.password is not None
    assert s.tracking.password.get_secret_value() == "s3cret-Pa55word"
    shown = dict((k, v) for k, v, _ in s.rows())
    assert shown["tracking.password"] == "********"
    assert "s3cret" not in repr(s) and "s3cret" not in str(s.rows())


def test_defaults_are_read_like_given_values_in_a_folder_without_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No configs/ anywhere: the default model list `all` is the seed's five models too
    (a default goes through its setting's checks like any value)."""
    monkeypatch.chdir(tmp_path)
    if any((folder / "configs").is_dir() for folder in (tmp_path, *tmp_path.parents)):
        pytest.skip("a configs/ folder above the test's folder would be found")
    settings = load_settings()
    assert settings.train.models == list(SEED_KEYS)
    assert settings._profile_file is None  # built-in defaults: no profile file read


def test_a_named_config_dir_without_the_profile_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CREDIT_CONFIG_DIR names a folder on purpose: one without the profile's file is a
    mistake, never a reason to run on built-in defaults."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDIT_CONFIG_DIR", str(tmp_path))
    with pytest.raises(
        ConfigError, match=r"CREDIT_CONFIG_DIR: .* holds no local\.toml \(have: none\)"
    ):
        load_settings()
    (tmp_path / "remote.toml").write_text("")
    with pytest.raises(ConfigError, match=r"holds no local\.toml \(have: remote\)"):
        load_settings()
    assert load_settings("remote")._profile == "remote"  # a profile it holds is read
    with pytest.raises(ConfigError, match=r"profile 'prod' not found in .* \(have: remote\)"):
        load_settings("prod")  # a named profile is refused as it always was


def test_all_expands_to_the_seed_models(project: Path) -> None:
    models = load_settings(overrides={"train": {"models": ["all"]}}).train.models
    assert models == list(SEED_KEYS) and len(models) == 5  # the seed's five, not scorecard
    both = load_settings(overrides={"train": {"models": ["all,scorecard"]}}).train.models
    assert both == [*SEED_KEYS, "scorecard"]
    s = load_settings(overrides={"train": {"models": ["xgboost,svm", "xgboost"]}})
    assert s.train.models == ["xgboost", "svm"]


def test_unknown_model_is_a_flag_error(project: Path) -> None:
    with pytest.raises(InputError, match=r"unknown model 'gbm' \(choose from: logistic_regression"):
        load_settings(overrides={"train": {"models": ["gbm"]}})


@pytest.mark.parametrize("version", ["1.3.0-beta", "2.0.0", "0.1.0+build.7"])
def test_semantic_versions_accepted(project: Path, version: str) -> None:
    assert load_settings(overrides={"model_version": version}).model_version == version


@pytest.mark.parametrize("version", ["1.3", "v1.0.0", "latest"])
def test_non_semantic_version_refused(project: Path, version: str) -> None:
    with pytest.raises(InputError, match="is not a semantic version"):
        load_settings(overrides={"model_version": version})


def test_smote_method_any_case(project: Path) -> None:
    assert (
        load_settings(overrides={"train": {"smote_method": "adasyn"}}).train.smote_method
        == "ADASYN"
    )
    with pytest.raises(InputError, match="unknown SMOTE method"):
        load_settings(overrides={"train": {"smote_method": "tomek"}})


def test_relative_paths_resolve_against_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = project / "notebooks"
    sub.mkdir()
    monkeypatch.chdir(sub)
    s = load_settings()
    assert s.root == project
    assert s.path(s.data.dir) == project / "data" / "raw"


def test_the_models_default_reasons_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_mlops.train import model_files

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDIT_TRAIN__REASONS", "2")
    settings = load_settings()
    assert model_files.decision(settings, "xgboost")["reasons"] == 2
    monkeypatch.setenv("CREDIT_TRAIN__REASONS", "-1")
    with pytest.raises(ConfigError):
        load_settings()
