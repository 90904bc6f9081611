"""Issue 13: what a demanding user tried and the tool got wrong, by class.

Every bad input is refused up front with one line `error: ...` and exit 2, names the
setting or flag it came from, prints no traceback and writes nothing. The cases that need a
trained model are in tests/integration/test_hardening_models.py, concurrency and Ctrl-C in
tests/integration/test_concurrency.py.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from credit_mlops.cli.main import app
from credit_mlops.data import schema
from credit_mlops.data.random_rows import synthetic
from credit_mlops.data.tables import write_table

runner = CliRunner()
FAST = ["--cv-folds", "2", "--cv-repeats", "1", "--n-jobs", "1"]
ROOT = os.geteuid() == 0  # root writes into read-only folders: those cases use /proc instead


def one_error_line(result: Result, *needles: str) -> str:
    """The run failed with exit 2 and exactly one `error:` line holding every needle."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def applicants(tmp_path: Path, n: int = 10, drop: tuple[str, ...] = ()) -> Path:
    frame = synthetic(max(n, 40), seed=5).head(n).drop(columns=[schema.TARGET, *drop])
    frame.insert(0, "id", [f"A-{i}" for i in range(n)])
    path = tmp_path / "applicants.csv"
    frame.to_csv(path, index=False)
    return path


# --- class: every path the tool writes is checked before any work ----------------------


@pytest.mark.parametrize(
    "where",
    [
        "/proc/self/credit-out.csv",  # the case: a folder nobody can create files in
        "{tmp}/missing-folder/out.csv",  # a folder that does not exist is not made silently
        "{tmp}/a-file/out.csv",  # a "folder" that is a file
    ],
)
def test_predict_output_that_cannot_be_written_is_refused_before_the_model(
    store: Path, tmp_path: Path, where: str
) -> None:
    (tmp_path / "a-file").write_text("x")
    out = where.format(tmp=tmp_path)
    # The target does not exist: an output error first proves the output is checked before
    # the store is asked for the model (loading one takes 10-20 s).
    result = runner.invoke(
        app, ["predict", "no-such-model", "-i", str(applicants(tmp_path)), "-o", out]
    )
    one_error_line(result, "--output", str(Path(out).parent))
    assert not (tmp_path / "missing-folder").exists()


@pytest.mark.skipif(ROOT, reason="root can write into a read-only folder")
def test_predict_output_in_a_read_only_folder(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    result = runner.invoke(
        app,
        ["predict", "no-such-model", "-i", str(applicants(tmp_path)), "-o", str(folder / "o.csv")],
    )
    one_error_line(result, "--output", str(folder))


def test_compare_output_that_cannot_be_written(store: Path) -> None:
    result = runner.invoke(
        app, ["compare", "--format", "markdown", "--output", "/proc/self/report.md"]
    )
    one_error_line(result, "--output", "/proc/self")


def test_evaluate_output_dir_that_cannot_be_written(store: Path) -> None:
    result = runner.invoke(app, ["evaluate", "no-such-model", "--output-dir", "/proc/self/ev"])
    one_error_line(result, "--output-dir", "/proc/self")


def test_train_on_a_read_only_store_is_refused_before_cross_validation(
    store: Path, synthetic_file: Path
) -> None:
    """Case 4: the store check before CV also proves the store takes writes."""
    db = store / "mlflow.db"
    read_only = f"sqlite:///file:{db}?mode=ro&uri=true"
    before = db.read_bytes()
    result = runner.invoke(
        app,
        ["train", "--data", str(synthetic_file), "-m", "decision_tree", *FAST, "-q"],
        env={"MLFLOW_TRACKING_URI": read_only},
    )
    one_error_line(result, "read-only", "MLFLOW_TRACKING_URI")
    assert not (store / "outbox").exists()  # nothing was trained, so nothing kept
    assert db.read_bytes() == before


# --- class: every tracking URI is parsed once, up front --------------------------------


@pytest.mark.parametrize(
    ("env", "flag", "needles"),
    [
        ({"MLFLOW_TRACKING_URI": "foo://bar"}, None, ["MLFLOW_TRACKING_URI", "foo"]),
        ({"CREDIT_TRACKING__URI": "ftp://host/x"}, None, ["CREDIT_TRACKING__URI", "ftp"]),
        ({}, "http://", ["--mlflow-uri", "host"]),
        ({}, "https:///no-host", ["--mlflow-uri", "host"]),
        ({}, "sqlite://", ["--mlflow-uri", "path"]),
        ({}, "postgresql://db.internal:5432", ["--mlflow-uri", "database"]),
        ({}, "mlflow.db", ["--mlflow-uri", "scheme"]),
    ],
)
@pytest.mark.parametrize("command", ["train", "compare", "promote"])
def test_unusable_tracking_uri_names_its_setting(
    project: Path,
    synthetic_file: Path,
    env: dict[str, str],
    flag: str | None,
    needles: list[str],
    command: str,
) -> None:
    args = {
        "train": ["train", "--data", str(synthetic_file), "-m", "decision_tree", *FAST],
        "compare": ["compare"],
        "promote": ["promote", "xgboost", "1", "Staging"],
    }[command]
    if flag is not None:
        args += ["--mlflow-uri", flag]
    result = runner.invoke(app, args, env=env)
    one_error_line(result, *needles)
    assert not (project / ".credit").exists()


def test_unusable_tracking_uri_in_a_profile_names_the_file(project: Path) -> None:
    (project / "configs" / "broken.toml").write_text('[tracking]\nuri = "sqlite://"\n')
    result = runner.invoke(app, ["compare", "--profile", "broken"])
    one_error_line(result, "configs/broken.toml", "tracking.uri")


def test_a_store_folder_that_does_not_exist_is_not_created(
    project: Path, synthetic_file: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "deeper"
    result = runner.invoke(
        app,
        ["train", "--data", str(synthetic_file), "-m", "decision_tree", *FAST],
        env={"MLFLOW_TRACKING_URI": f"sqlite:///{missing / 'mlflow.db'}"},
    )
    one_error_line(result, str(missing), "MLFLOW_TRACKING_URI")
    assert not (tmp_path / "nowhere").exists()


def test_a_server_uri_with_a_password_is_never_printed(project: Path) -> None:
    result = runner.invoke(
        app,
        ["compare"],
        env={"MLFLOW_TRACKING_URI": "gopher://alice:s3cr3t-pw@host:70/x"},
    )
    line = one_error_line(result, "MLFLOW_TRACKING_URI")
    assert "s3cr3t-pw" not in result.output and "s3cr3t-pw" not in line


# --- class: arguments that name something must name something that exists -------------


def test_compare_sort_by_an_unknown_metric_lists_the_metrics(store: Path) -> None:
    """Case 6 (the store holds no run: the name is checked against the known metrics)."""
    result = runner.invoke(app, ["compare", "--sort", "no_such_metric"])
    one_error_line(result, "no_such_metric", "roc_auc_test_mean", "f1_test_mean")


def test_compare_sort_registry_view_unknown_metric(store: Path) -> None:
    result = runner.invoke(app, ["compare", "--registry", "--sort", "bogus_metric"])
    one_error_line(result, "bogus_metric", "roc_auc_test_mean")


@pytest.mark.parametrize(
    ("how", "name"),
    [
        ("env", "../../elsewhere/evil"),
        ("env", "/etc/evil"),
        ("flag", "sub/dir"),
        ("flag", ".hidden"),
        ("flag", "local.toml"),
        ("flag", "na me"),
        ("flag", ""),
    ],
)
def test_profile_name_is_a_plain_name(project: Path, tmp_path: Path, how: str, name: str) -> None:
    """Case 8: a profile never reads a file outside configs/."""
    outside = tmp_path.parent / "elsewhere"
    outside.mkdir(exist_ok=True)
    (outside / "evil.toml").write_text('[tracking]\nexperiment = "evil"\n')
    if how == "env":
        result = runner.invoke(app, ["config", "show"], env={"CREDIT_PROFILE": name})
        needle = "CREDIT_PROFILE"
    else:
        result = runner.invoke(app, ["config", "show", "--profile", name])
        needle = "--profile"
    one_error_line(result, needle, "letters, digits")
    assert "evil" not in result.stdout


@pytest.mark.parametrize(
    "uri",
    [
        "http://alice:secret-pw@127.0.0.1:5000",
        "https://alice:secret-pw@mlflow.example",
        "postgresql://mlflow:secret-pw@db.internal:5432/mlflow",
    ],
)
def test_profile_uri_holding_a_password_is_refused_without_printing_it(
    project: Path, uri: str
) -> None:
    """Case 9: the README promises a profile holding a secret is refused."""
    (project / "configs" / "leaky.toml").write_text(f'[tracking]\nuri = "{uri}"\n')
    for args in (["config", "show", "--profile", "leaky"], ["compare", "--profile", "leaky"]):
        result = runner.invoke(app, args)
        # a database's password belongs to libpq (PGPASSWORD), a server's to MLflow
        where = "PGPASSWORD" if uri.startswith("postgresql") else "MLFLOW_TRACKING_PASSWORD"
        one_error_line(result, "configs/leaky.toml", "password", where)
        assert "secret-pw" not in result.output


def test_profile_uri_with_a_user_name_only_is_fine(project: Path) -> None:
    (project / "configs" / "named.toml").write_text(
        '[tracking]\nuri = "http://alice@127.0.0.1:5999"\n'
    )
    result = runner.invoke(app, ["config", "show", "--profile", "named"])
    assert result.exit_code == 0, result.output


# --- class: data errors that say what is wrong ------------------------------------------


def _validate(path: Path) -> Result:
    return runner.invoke(app, ["data", "validate", str(path)])


def test_a_code_written_as_a_float_is_that_code(tmp_path: Path) -> None:
    """Case 10: `2.0` used to give "...not integers at " with nothing after it. It is the
    code 2 exactly (nothing is rounded), so the file is valid."""
    frame = synthetic(200, seed=1).astype(object)
    frame.loc[3, "laufkont"] = "2.0"
    path = tmp_path / "float.csv"
    frame.to_csv(path, index=False)
    result = _validate(path)
    assert result.exit_code == 0, result.output
    assert "200 rows" in result.stderr


def test_a_fractional_code_is_shown_as_written(tmp_path: Path) -> None:
    frame = synthetic(200, seed=1).astype(object)
    frame.loc[0, "moral"] = "2.5"
    path = tmp_path / "frac.csv"
    frame.to_csv(path, index=False)
    line = one_error_line(_validate(path), "moral", "line 2 (2.5)")
    assert "np.float64" not in line and "float64" not in line
    assert not line.rstrip(" ;").endswith("at")


@pytest.mark.parametrize("sep", ["|", ":"])
def test_a_file_with_another_separator_says_so(tmp_path: Path, sep: str) -> None:
    """Case 10: not "missing all 21 columns" but which separator the file seems to use."""
    path = tmp_path / "other-sep.csv"
    synthetic(100, seed=2).to_csv(path, index=False, sep=sep)
    line = one_error_line(_validate(path), f"looks separated by {sep!r}")
    assert "missing column" not in line


def test_a_semicolon_separated_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    synthetic(100, seed=2).to_csv(path, index=False, sep=";")
    result = _validate(path)
    assert result.exit_code == 0, result.output


def test_fetch_from_an_unsupported_scheme_names_it(project: Path, tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    archive.write_bytes(b"not a zip")
    result = runner.invoke(app, ["data", "fetch", "--url", archive.as_uri(), "-q"])
    one_error_line(result, "file", "http")
    assert "checksum" not in result.output


def test_fetch_extracts_only_the_expected_members(
    project: Path, tmp_path: Path, synthetic_frame: pd.DataFrame
) -> None:
    import functools
    import http.server
    import threading

    served = tmp_path / "served"
    served.mkdir()
    source = write_table(synthetic_frame, tmp_path / "src" / schema.DATA_FILE)
    archive = served / "archive.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(source, schema.DATA_FILE)
        zf.writestr("codetable.txt", "codes\n")
        zf.writestr("run-me.sh", "echo surprise\n")
        zf.writestr("nested/extra.csv", "a,b\n")
        zf.writestr("../escaped.txt", "outside\n")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/archive.zip"
        result = runner.invoke(app, ["data", "fetch", "--url", url, "-q"])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    raw = project / "data" / "raw"
    kept = sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file())
    assert schema.DATA_FILE in kept and "codetable.txt" in kept
    assert not any(k.endswith(("run-me.sh", "extra.csv")) for k in kept), kept
    assert not (project / "data" / "escaped.txt").exists()
    assert "run-me.sh" in result.stderr  # the user is told what was left out


# --- class: predict checks its input before it loads anything --------------------------


def test_predict_input_lacking_a_column_is_refused_before_the_model(
    store: Path, tmp_path: Path
) -> None:
    """Case 11: no 10-20 s model load before the input turns out unusable."""
    path = applicants(tmp_path, drop=("laufzeit",))
    result = runner.invoke(
        app, ["predict", "no-such-model", "-i", str(path), "-o", str(tmp_path / "o.csv")]
    )
    one_error_line(result, "laufzeit")
    assert not (tmp_path / "o.csv").exists()


def test_predict_input_that_does_not_exist(store: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["predict", "no-such-model", "-i", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o")],
    )
    one_error_line(result, "nope.csv")
