"""Values checked as types, once: seeds, row counts, ports, model keys, `--explain K`,
database names, an empty fairness group list, a config folder that is not there, and
what a URI shows. Each refusal is one `error:` line, exit 2, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.cli.test_hardening import one_error_line
from tests.conftest import credit
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.cli.values import SEED_MAX
from credit_mlops.data import memory
from credit_mlops.errors import InputError
from credit_mlops.redaction import redact
from credit_mlops.tracking.uri import parse

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["data", "synth", "--rows", "10", "--seed", "-1", "-o", "s.csv"], ["--seed -1", "0.."]),
        (["data", "synth", "--rows", "10", "--seed", str(SEED_MAX + 1), "-o", "s.csv"], ["--seed"]),
        (["data", "synth", "--rows", "0", "-o", "s.csv"], ["--rows 0"]),
        (["data", "synth", "--rows", "-5", "-o", "s.csv"], ["--rows -5"]),
        (["data", "drift", "--seed", "-3", "-o", "d.csv"], ["--seed -3"]),
        (["data", "drift", "-n", "0", "-o", "d.csv"], ["--rows 0"]),
        (["train", "--seed", "-42"], ["--seed -42"]),
        (["tune", "-m", "xgboost", "--seed", "-1"], ["--seed -1"]),
        (["server", "start", "--port", "99999"], ["--port 99999", "1..65535"]),
        (["server", "start", "--port", "0"], ["--port 0"]),
        (["server", "start", "--port", "-1"], ["--port -1"]),
        (
            ["serve", "--poll-seconds", "1e-12"],
            ["--poll-seconds (serve.poll_seconds)", "at least 1"],
        ),
        (["serve", "--poll-seconds", "0"], ["--poll-seconds (serve.poll_seconds)", "at least 1"]),
        (["serve", "--poll-seconds", "4000"], ["--poll-seconds", "at most 3600"]),
        (["compare", "--model", "xgboot"], ["'xgboot'", "xgboost", "logistic_regression"]),
        (["compare", "--model", "xgboost,lr", "-m", "svm"], ["'lr'"]),
    ],
)
def test_out_of_range_values_are_one_line(
    project: Path, args: list[str], needles: list[str]
) -> None:
    one_error_line(runner.invoke(app, args), *needles)
    assert not (project / ".credit").exists()  # nothing written, no store made
    assert not list(project.glob("*.csv"))


def test_the_largest_seed_is_accepted(project: Path) -> None:
    out = project / "s.csv"
    result = runner.invoke(
        app, ["data", "synth", "--rows", "5", "--seed", str(SEED_MAX), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file()


def test_a_row_count_beyond_memory_is_refused_before_any_work(project: Path) -> None:
    line = one_error_line(
        runner.invoke(app, ["data", "synth", "--rows", "100000000000", "-o", "s.csv"]),
        "--rows 100,000,000,000",
        "at most",
    )
    assert "available" in line
    one_error_line(
        runner.invoke(app, ["data", "drift", "--rows", "100000000000", "-o", "d.csv"]), "memory"
    )


def test_the_memory_bound_scales_with_what_is_available() -> None:
    have = memory.available_bytes()
    assert have is not None and have > 0
    memory.check_rows_fit(1000, 100)  # 100 KB always fits
    with pytest.raises(InputError, match="at most"):
        memory.check_rows_fit(have // 100 + 1, 100)


def test_explain_k_above_the_columns_is_refused() -> None:
    from credit_mlops.data.schema import FEATURES
    from credit_mlops.explain.reasons import check_count

    assert check_count(len(FEATURES)) == len(FEATURES)
    for k in (0, len(FEATURES) + 1, 1_000_000):
        with pytest.raises(InputError, match="at least 1" if k < 1 else f"1..{len(FEATURES)}"):
            check_count(k)


def test_predict_explain_one_million_is_refused_before_the_store(project: Path) -> None:
    applicants = project / "a.csv"
    applicants.write_text("id\n1\n")
    result = runner.invoke(
        app, ["predict", "m/1", "-i", str(applicants), "-o", "out.csv", "--explain", "1000000"]
    )
    one_error_line(result, "--explain 1000000")
    assert not (project / ".credit").exists()


@pytest.mark.parametrize("k", ["-3", "-0", "-12", "-2.5"])
def test_predict_explain_negative_is_one_line_about_the_count(project: Path, k: str) -> None:
    """The parser reads `-3` after --explain as a flag; the line says what it is."""
    applicants = project / "a.csv"
    applicants.write_text("id\n1\n")
    result = runner.invoke(
        app, ["predict", "m/1", "-i", str(applicants), "-o", "out.csv", "--explain", k]
    )
    line = one_error_line(result, f"{k} is not a flag", "positive whole number")
    assert "No such option" not in line
    assert not (project / ".credit").exists()


def test_an_unknown_flag_is_still_named_as_one(project: Path) -> None:
    result = runner.invoke(app, ["predict", "m/1", "-i", "a.csv", "-o", "o.csv", "--explian"])
    one_error_line(result, "No such option: --explian")


@pytest.mark.parametrize("port", ["0", "99999", "65536"])
def test_a_tracking_uri_port_out_of_range_is_exit_2(port: str) -> None:
    with pytest.raises(InputError, match="--mlflow-uri"):
        parse(f"http://u:pw@127.0.0.1:{port}", source="--mlflow-uri")


def test_a_uri_with_a_bad_port_never_shows_its_password(project: Path) -> None:
    result = runner.invoke(app, ["compare", "--mlflow-uri", "http://alice:pw-77@127.0.0.1:99999"])
    line = one_error_line(result, "--mlflow-uri", "127.0.0.1:99999")
    assert "pw-77" not in result.output and "alice" not in line


@pytest.mark.parametrize(
    ("uri", "hidden", "kept"),
    [
        ("http://h:5000/?token=abc123&x=1", "abc123", "x=1"),
        ("https://h/?access_token=t0k", "t0k", "access_token=********"),
        ("postgresql://u:pw@h/db?sslmode=require&password=zz9", "zz9", "sslmode=require"),
        ("s3://bucket/x?X-Amz-Signature=deadbeef&X-Amz-Date=1", "deadbeef", "X-Amz-Date=1"),
        ("http://u:pw@h:99999/", "pw", "h:99999"),
        ("sqlite:////abs/path/mlflow.db", "\0", "sqlite:////abs/path/mlflow.db"),
        ("http://h:5000/#access_token=fr4g", "fr4g", "http://h:5000/#"),
    ],
)
def test_redact_masks_query_tokens_like_passwords(uri: str, hidden: str, kept: str) -> None:
    shown = redact(uri)
    assert hidden not in shown
    assert kept in shown


def test_config_show_masks_a_token_in_the_uri_query(project: Path) -> None:
    result = runner.invoke(
        app, ["config", "show"], env={"MLFLOW_TRACKING_URI": "http://h:5000/?token=sekrit-42"}
    )
    assert result.exit_code == 0, result.output
    assert "sekrit-42" not in result.output


def test_a_missing_config_dir_is_refused_and_nothing_created(project: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-configs"
    result = runner.invoke(app, ["compare"], env={"CREDIT_CONFIG_DIR": str(missing)})
    one_error_line(result, "CREDIT_CONFIG_DIR", str(missing), "does not exist")
    assert not missing.exists()
    assert not (project / ".credit").exists()


def test_a_config_dir_without_the_profile_is_refused_and_nothing_created(
    project: Path, tmp_path: Path
) -> None:
    """An existing folder named by CREDIT_CONFIG_DIR that holds no local.toml: refused, never
    run on built-in defaults (no store made beside it)."""
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    for args in (["train"], ["config", "show"]):
        result = runner.invoke(app, args, env={"CREDIT_CONFIG_DIR": str(empty)})
        one_error_line(result, f"CREDIT_CONFIG_DIR: {empty} holds no local.toml", "unset it")
    assert list(empty.iterdir()) == []
    assert not (tmp_path / ".credit").exists()


def test_without_a_config_dir_a_folder_without_configs_runs_on_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    monkeypatch.chdir(bare)
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("env", "needles"),
    [
        ({"CREDIT_SCORECARD__PDO": "1e308", "CREDIT_SCORECARD__BASE_SCORE": "1e308"}, ["at most"]),
        ({"CREDIT_SCORECARD__PDO": "1001"}, ["scorecard.pdo", "at most 1000"]),
        ({"CREDIT_SCORECARD__BASE_SCORE": "-5"}, ["scorecard.base_score", "at least 0"]),
        ({"CREDIT_SCORECARD__BASE_ODDS": "1e-9"}, ["scorecard.base_odds", "at least"]),
    ],
)
def test_a_scorecard_scale_out_of_bounds_is_refused_before_training(
    project: Path, env: dict[str, str], needles: list[str]
) -> None:
    one_error_line(runner.invoke(app, ["train", "--model", "scorecard"], env=env), *needles)
    assert not (project / ".credit").exists()


def test_a_poll_period_below_a_second_from_the_environment_is_refused(project: Path) -> None:
    result = runner.invoke(app, ["serve"], env={"CREDIT_SERVE__POLL_SECONDS": "0.001"})
    one_error_line(result, "CREDIT_SERVE__POLL_SECONDS", "serve.poll_seconds", "at least 1")
    assert not (project / ".credit").exists()


def test_a_config_dir_that_is_a_file_is_refused(project: Path) -> None:
    a_file = project / "configs" / "local.toml"
    one_error_line(
        runner.invoke(app, ["config", "show"], env={"CREDIT_CONFIG_DIR": str(a_file)}),
        "is not a folder",
    )


def test_no_fairness_attributes_is_refused(project: Path) -> None:
    from credit_mlops.data.schema import FEATURES
    from credit_mlops.fairness.groups import check_attributes

    with pytest.raises(InputError, match=r"fairness\.attributes is empty"):
        check_attributes([], list(FEATURES), {})
    with (project / "configs" / "local.toml").open("a") as fh:
        fh.write("\n[fairness]\nattributes = []\n")
    result = runner.invoke(app, ["fairness", "m/1"])
    one_error_line(result, "fairness.attributes is empty")


def test_a_hostile_database_name_is_refused_and_nothing_is_made(tmp_path: Path) -> None:
    """`--database 'x" TEMPLATE "template0'` is no name for a store's database: refused in
    one line before any connection, and no database of that name appears."""
    from tests.integration.conftest import postgres_or_skip

    postgres_or_skip()
    import psycopg

    from credit_mlops.ops.server import create_database

    name = f'credit_t{tmp_path.name[-6:]}" TEMPLATE "template0'
    with pytest.raises(InputError, match=r"use lower-case letters, digits and _, starting with"):
        create_database(name)
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres") as c:
        found = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    assert found is None
    with pytest.raises(InputError, match=r"at most 63"):
        create_database("x" * 64)


def test_seed_bounds_in_a_real_process(tmp_path: Path) -> None:
    done = credit(["data", "synth", "--rows", "3", "--seed", "-7", "-o", "s.csv"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --seed -7 is out of range: use 0..4294967295 (a seed is unsigned)"
    ]
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize(
    ("key", "url", "advice", "not_advice"),
    [
        ("[tune]\nstorage", "postgresql+psycopg://u:s3cr3t@db/optuna", "PGPASSWORD", "MLFLOW_"),
        ("[tracking]\nuri", "postgresql://u:s3cr3t@db/mlflow", "~/.pgpass", "MLFLOW_"),
        ("[tracking]\nuri", "http://u:s3cr3t@h:5000", "MLFLOW_TRACKING_PASSWORD", "PGPASSWORD"),
        ("[tracking]\nuri", "http://h:5000/?token=s3cr3t", "MLFLOW_TRACKING_TOKEN", "PGPASSWORD"),
        ("[tune]\nstorage", "postgresql://u@db/o?sslpassword=s3cr3t", "PGPASSWORD", "MLFLOW_"),
        ("[tracking]\nuri", "http://h:5000/#access_token=s3cr3t", "MLFLOW_TRACKING", "PGPASS"),
    ],
)
def test_a_password_in_a_profile_url_points_to_where_it_belongs(
    project: Path, key: str, url: str, advice: str, not_advice: str
) -> None:
    (project / "configs" / "local.toml").write_text(f'{key} = "{url}"\n')
    line = one_error_line(runner.invoke(app, ["config", "show"]), advice)
    assert not_advice not in line and "s3cr3t" not in line


def test_a_profile_url_without_secrets_is_kept(project: Path) -> None:
    url = "postgresql://u@db/o?sslmode=require&sslkey=/keys/client.key&authSource=admin"
    (project / "configs" / "local.toml").write_text(f'[tune]\nstorage = "{url}"\n')
    assert runner.invoke(app, ["config", "show"]).exit_code == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('[tracking]\nexperiment = "x"\n'.encode("utf-16"), "UTF-16"),
        ('[tracking]\nexperiment = "x"\n'.encode("utf-16-be"), "UTF-16"),
        (bytes(range(128, 256)) * 3, "not text"),
        ('\ufeff[tracking]\nexperiment = "x"\n'.encode(), "byte-order mark"),
    ],
    ids=["utf16-bom", "utf16-be", "binary", "utf8-bom"],
)
def test_a_profile_that_is_not_utf8_text_is_one_line(
    project: Path, content: bytes, needle: str
) -> None:
    (project / "configs" / "odd.toml").write_bytes(content)
    one_error_line(runner.invoke(app, ["config", "show", "-p", "odd"]), "odd.toml", needle)


def test_a_store_folder_that_is_a_file_is_refused(project: Path) -> None:
    (project / "blocker").write_text("")
    uri = f"sqlite:///{project / 'blocker' / 'sub' / 'mlflow.db'}"
    one_error_line(runner.invoke(app, ["compare", "--mlflow-uri", uri]), "is a file")
    (project / ".credit").write_text("")  # the project's own store folder
    one_error_line(runner.invoke(app, ["compare"]), ".credit is a file")
    (project / "dbdir").mkdir()
    line = one_error_line(
        runner.invoke(app, ["compare", "--mlflow-uri", f"sqlite:///{project / 'dbdir'}"]),
        "is a folder",
    )
    assert "--mlflow-uri" in line


def test_many_names_are_a_few_and_a_count() -> None:
    from credit_mlops.errors import some

    assert some(["a", "b"]) == "a, b"
    assert some([f"c{i}" for i in range(10_000)]) == "c0, c1, c2, c3, c4 and 9,995 more"


def test_ten_thousand_unknown_columns_are_named_in_one_short_line(tmp_path: Path) -> None:
    from credit_mlops.data import checks
    from credit_mlops.data.synth import synthesize

    frame = synthesize(5, seed=1)
    wide = frame.join(__import__("pandas").DataFrame({f"junk_{i}": [1] * 5 for i in range(10_000)}))
    with pytest.raises(InputError) as info:
        checks.validate_frame(wide, source="wide.csv")
    assert "junk_0" in str(info.value) and "9,995 more" in str(info.value)
    assert len(str(info.value)) < 200


def test_an_empty_applicants_file_does_not_advise_fetching(project: Path) -> None:
    from credit_mlops.data.formats import csv_header
    from credit_mlops.data.schema import DATA_FILE

    (project / "applicants.csv").write_text("")
    with pytest.raises(InputError) as info:
        csv_header(project / "applicants.csv")
    assert "credit data fetch" not in str(info.value)
    (project / DATA_FILE).write_text("")
    with pytest.raises(InputError, match="credit data fetch"):
        csv_header(project / DATA_FILE)


@pytest.mark.parametrize("name", ["CREDIT_DATA__PATH", "CREDIT_DATA__DIR"])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_data_path_is_named_not_taken_for_the_project_folder(
    project: Path, name: str, value: str
) -> None:
    """Path("") is the current folder: an empty setting must not become the project."""
    result = runner.invoke(app, ["train", "--model", "logistic_regression"], env={name: value})
    line = one_error_line(result, name, "is empty")
    assert str(project) not in line
    assert not (project / ".credit").exists()


def test_an_output_that_is_a_symlink_loop_is_refused_and_kept(project: Path) -> None:
    loop = project / "loop.csv"
    loop.symlink_to("loop.csv")
    result = runner.invoke(app, ["data", "synth", "--rows", "5", "-o", str(loop)])
    one_error_line(result, "leads back to itself")
    assert loop.is_symlink() and os.readlink(loop) == "loop.csv"


@pytest.mark.parametrize("command", ["synth", "predict"])
def test_a_path_too_long_for_the_file_system_is_one_line(project: Path, command: str) -> None:
    long = project / ("x" * 300 + ".csv")
    args = {
        "synth": ["data", "synth", "--rows", "5", "-o", str(long)],
        "predict": ["predict", "m/1", "-i", str(long), "-o", "out.csv"],
    }[command]
    result = runner.invoke(app, args)
    line = one_error_line(result, "longer than the file system allows")
    assert len(line) < 300  # the path is shortened, not echoed whole


def test_an_environment_list_that_is_not_json_is_one_line(project: Path) -> None:
    result = runner.invoke(app, ["config", "show"], env={"CREDIT_TRAIN__MODELS": "["})
    one_error_line(result, "CREDIT_TRAIN__MODELS", "not valid JSON")


def test_a_very_long_value_is_named_by_its_ends_in_one_short_line(project: Path) -> None:
    value = "start-" + "z" * 5_000 + "-end"
    result = runner.invoke(app, ["train", "--model", value])
    line = one_error_line(result)
    assert len(line) < 800 and "characters left out" in line
    assert "start-" in line


def test_output_that_cannot_be_written_does_not_advise_running_again(project: Path) -> None:
    """Standard output to a full device: the work was done, so the line says it is kept."""
    import subprocess

    from tests.conftest import CREDIT

    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [str(CREDIT), "data", "synth", "--rows", "5", "-o", "-"],
            cwd=project,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert "could not take the command's output" in lines[0] and "run again" not in lines[0]


@pytest.mark.parametrize("flag", ["--version", "--help"])
@pytest.mark.parametrize("wiring", ["1</dev/null", ">/dev/full", ">&-"])
def test_help_and_version_say_when_standard_output_cannot_take_them(
    project: Path, flag: str, wiring: str
) -> None:
    """They print while the flags are read, before any command's own guard: a traceback
    (read-only, full) or nothing at all (closed) before."""
    import subprocess

    from tests.conftest import CREDIT

    done = subprocess.run(
        f"exec {CREDIT} {flag} {wiring}",
        shell=True,
        executable="/bin/bash",
        cwd=project,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode in (1, 2) and len(lines) == 1, done.stderr
    assert lines[0].startswith("error: standard output")


@pytest.mark.parametrize("given", ["/dev/null", "."])
def test_an_input_that_is_not_a_regular_file_is_named_as_such(project: Path, given: str) -> None:
    result = runner.invoke(app, ["predict", "m/1", "-i", given, "-o", "out.csv"])
    one_error_line(result, "not a regular file")
    assert not (project / ".credit").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--seed", "1.0"],
        ["train", "--cv-folds", "2.0"],
        ["train", "--n-jobs", "1e3"],
        ["data", "synth", "--rows", "10.0", "-o", "x.csv"],
        ["data", "synth", "--rows", "5", "--seed", "7.0", "-o", "x.csv"],
        ["compare", "--top", "2.0"],
        ["tune", "--trials", "3.0"],
        ["serve", "m", "--port", "80.0"],
        ["server", "start", "--port", "5000.0"],
    ],
    ids=lambda a: " ".join(a[:3]),
)
def test_a_count_seed_or_port_is_a_whole_number_as_typed(tmp_path: Path, args: list[str]) -> None:
    """`1.0` is not read as 1 (nor `1e3` as 1000): every whole-number option parses digits."""
    from typer.testing import CliRunner

    from credit_mlops.cli.main import app

    os.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "is not a whole number" in result.output
    assert not (tmp_path / ".credit").exists() and not (tmp_path / "x.csv").exists()
