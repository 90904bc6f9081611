"""Outputs where users point them, through the commands: `-o -` is standard output,
`-o /dev/stdout` and symlinks are written through, and one folder rule for every command,
checked before any work and stated in --help."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.cli.test_hardening import applicants, one_error_line
from tests.conftest import credit
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.standard_output import CLOSED

runner = CliRunner()


def _shell(line: str, project: Path) -> subprocess.CompletedProcess[str]:
    """`line` in bash with the real `credit` as {credit}, a clean environment: standard
    output wired as the line says (closed, read-only, piped to a reader that stops)."""
    from tests.conftest import CREDIT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
    return subprocess.run(
        line.format(credit=CREDIT),
        shell=True,
        executable="/bin/bash",
        cwd=project,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_synth_to_dash_is_standard_output_in_a_real_process(project: Path) -> None:
    result = credit(["data", "synth", "--rows", "3", "-o", "-"], project, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("laufkont laufzeit") and len(lines) == 4
    assert not (project / "-").exists()
    assert "3 synthetic applicants" in result.stderr  # the note stays off stdout


def test_synth_to_dev_stdout_writes_through_it(project: Path) -> None:
    before = os.readlink("/dev/stdout") if os.path.islink("/dev/stdout") else None
    result = credit(["data", "synth", "--rows", "2", "-o", "/dev/stdout"], project, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    if before is not None:  # the link is still the link (the tool never replaced it)
        assert os.path.islink("/dev/stdout") and os.readlink("/dev/stdout") == before


def test_drift_writes_through_a_symlink(project: Path, synthetic_file: Path) -> None:
    real = project / "real.csv"
    real.write_text("old")
    link = project / "link.csv"
    link.symlink_to(real)
    result = runner.invoke(
        app, ["data", "drift", "-n", "5", "-o", str(link), "--data", str(synthetic_file)]
    )
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and len(real.read_text().splitlines()) == 6


@pytest.mark.parametrize(
    "args",
    [
        ["data", "synth", "--rows", "3", "-o", "{tmp}/missing/x.csv"],
        ["data", "drift", "-n", "3", "-o", "{tmp}/missing/x.csv"],
        ["compare", "-o", "{tmp}/missing/x.json", "--format", "json"],
        ["predict", "m", "-i", "{applicants}", "-o", "{tmp}/missing/x.csv"],
        ["evaluate", "m", "--output-dir", "{tmp}/missing/sub"],
        ["explain", "m", "--output-dir", "{tmp}/missing/sub"],
        ["fairness", "m", "--output-dir", "{tmp}/missing/sub"],
        ["monitor", "m", "--data", "{applicants}", "--output-dir", "{tmp}/missing/sub"],
        ["report", "m", "--output", "{tmp}/missing/sub"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_one_folder_rule_for_every_command(store: Path, tmp_path: Path, args: list[str]) -> None:
    given = applicants(tmp_path)
    argv = [a.format(tmp=tmp_path, applicants=given) for a in args]
    result = runner.invoke(app, argv)
    one_error_line(result, "missing")
    assert "does not exist" in result.stderr
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    ("command", "needle"),
    [
        (["data", "synth"], "Its folder must exist"),
        (["data", "drift"], "Its folder must exist"),
        (["predict"], "Its folder must exist"),
        (["compare"], "its folder must exist"),
        (["evaluate"], "the folder above it must exist"),
        (["explain"], "the folder above it must exist"),
        (["fairness"], "the folder above it must exist"),
        (["monitor"], "the folder above it must exist"),
        (["report"], "the folder above it must exist"),
    ],
)
def test_help_states_the_rule(command: list[str], needle: str) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert needle in " ".join(result.stdout.split())


def test_predict_to_dash_with_json_is_refused(store: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["predict", "m", "-i", str(applicants(tmp_path)), "-o", "-", "--json"]
    )
    one_error_line(result, "-o -", "--json")


@pytest.mark.parametrize(
    "args",
    [
        ["data", "synth", "--rows", "3", "-o", "-"],
        ["data", "synth", "--rows", "3", "-o", "-", "--format", "parquet"],
        ["data", "drift", "-n", "3", "-o", "-", "--data", "{data}"],
    ],
    ids=["synth", "synth parquet", "drift"],
)
def test_dash_writes_to_a_socket_as_standard_output(
    project: Path, synthetic_file: Path, args: list[str]
) -> None:
    """Under a supervisor that logs through a socket, `-o -` writes to descriptor 1 itself
    (/dev/stdout opened by path refuses a socket)."""
    import socket
    import subprocess

    from tests.conftest import CREDIT

    mine, theirs = socket.socketpair()
    with mine, theirs:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "MLFLOW_"))}
        done = subprocess.run(
            [str(CREDIT), *(a.format(data=synthetic_file) for a in args)],
            cwd=project,
            stdout=theirs,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
            check=False,
        )
        theirs.close()
        received = b"".join(iter(lambda: mine.recv(65536), b""))
    assert done.returncode == 0, done.stderr.decode()
    assert received.startswith(b"PAR1") if "parquet" in args else len(received.splitlines()) == 4


def test_dash_with_standard_output_closed_is_one_line(project: Path) -> None:
    done = _shell("exec {credit} data synth --rows 3 -o - >&-", project)
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {CLOSED}"


@pytest.mark.parametrize(
    "line",
    [
        "compare --format json",
        "compare",
        "config show",
        "data synth --rows 3 -o made.csv",
        "monitor m --data made.csv --format json",
    ],
)
def test_every_command_with_standard_output_closed_is_one_line_before_any_work(
    project: Path, line: str
) -> None:
    """Results written to a closed descriptor are lost in silence (rich) or fail after the
    work (a traceback): every command says so first, and does nothing."""
    done = _shell(f"exec {{credit}} {line} >&-", project)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"error: {CLOSED}"
    assert not (project / "made.csv").exists() and not (project / ".credit").exists()


@pytest.mark.parametrize("command", ["evaluate", "explain", "fairness"])
def test_an_output_folder_cannot_be_standard_output(store: Path, command: str) -> None:
    result = runner.invoke(app, [command, "m", "--output-dir", "-"])
    one_error_line(result, "--output-dir -", "standard output")
    assert not Path("-").exists()


def test_dash_with_standard_output_read_only_is_one_line(project: Path) -> None:
    """Descriptor 1 opened for reading only (a caller's mistake): said before any work."""
    done = _shell("exec {credit} data synth --rows 3 -o - 1</dev/null", project)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("error: standard output is closed")


@pytest.mark.parametrize("where", [".", "sub", ".credit"])
def test_an_evaluation_run_uploads_its_own_files_only(
    project: Path, synthetic_file: Path, where: str
) -> None:
    """`--output-dir .` never uploads the store into itself, and a user's other files in
    the folder are never uploaded; the store's own folder takes no results at all."""
    from mlflow import MlflowClient

    trained = runner.invoke(
        app, ["train", "-m", "logistic_regression", "--no-evaluate", "-q", "--data",
              str(synthetic_file)],
    )  # fmt: skip
    assert trained.exit_code == 0, trained.output
    (project / "sub").mkdir()
    (project / where / "private_notes.txt").write_text("not for the store\n")
    before = sum(f.stat().st_size for f in (project / ".credit").rglob("*") if f.is_file())
    result = runner.invoke(
        app, ["evaluate", "logistic_regression", "--output-dir", where, "--data",
              str(synthetic_file)],
    )  # fmt: skip
    if where == ".credit":
        one_error_line(result, "is a folder of the tracking store", "pick a folder outside")
        after = sum(f.stat().st_size for f in (project / ".credit").rglob("*") if f.is_file())
        assert after == before
        return
    assert result.exit_code == 0, result.output
    after = sum(f.stat().st_size for f in (project / ".credit").rglob("*") if f.is_file())
    assert after - before < 5_000_000  # the figures and predictions, not a copy of the store
    client = MlflowClient(f"sqlite:///{project / '.credit' / 'mlflow.db'}")
    [run] = client.search_runs(
        [client.get_experiment_by_name("credit-risk").experiment_id],
        "tags.`credit.kind` = 'evaluation'",
    )
    uploaded = [a.path for a in client.list_artifacts(run.info.run_id, "evaluation")]
    assert "evaluation/evaluation.json" in uploaded
    assert not any("private_notes" in p or ".credit" in p for p in uploaded)


def test_a_reader_that_stops_early_is_not_a_success(project: Path) -> None:
    """`credit data synth -o - | head -c 10`: the rows were not all written, so no check
    mark and no exit 0; one line, and no second error from Python at exit."""
    line = "{credit} data synth --rows 50000 -o - | head -c 10 >/dev/null"
    done = _shell(line + '; echo "rc=${{PIPESTATUS[0]}}" >&2', project)
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "error: standard output was closed by its reader before every row was written; "
        "the output is incomplete",
        "rc=1",
    ]


def _output_options() -> list[tuple[str, str]]:
    """(command path, option) for every option of the app that names an output file or
    folder: `--output`, `-o`, `--output-dir`."""
    import typer
    import typer.main

    found: list[tuple[str, str]] = []

    def walk(command: Any, path: str) -> None:
        for param in command.params:
            if {"--output", "--output-dir"} & set(getattr(param, "opts", [])):
                found.append((path, param.opts[0]))
        if hasattr(command, "list_commands"):  # a group (typer's own click)
            ctx = typer.Context(command)
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return found


def test_every_output_option_keeps_the_spelling_of_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-` and `./-` reach every output option as different values: pathlib alone shortens
    `./-` to `-`, which would send a file the user named to standard output. Each option's
    own parsing (type and callback) is run as the command line runs it."""
    import typer
    import typer.main

    from credit_mlops.errors import InputError
    from credit_mlops.files import STDOUT

    monkeypatch.chdir(tmp_path)
    options = _output_options()
    assert len(options) >= 8, options  # report, compare, drift, describe, synth, predict...
    root = typer.main.get_command(app)
    for path, flag in options:
        command = root
        for part in path.split():
            command = command.get_command(typer.Context(command), part)
        param = next(p for p in command.params if flag in p.opts)
        ctx = typer.Context(command)
        assert param.process_value(ctx, "./-") == tmp_path / "-", (path, flag)
        with pytest.raises(typer.BadParameter, match="is empty"):  # not '.', this folder
            param.process_value(ctx, "")
        if param.metavar == "<file>":  # not a file named as the folder it names
            with pytest.raises(typer.BadParameter, match="names a folder"):
                param.process_value(ctx, "out.csv/")
        try:
            assert param.process_value(ctx, "-") == STDOUT, (path, flag)
        except InputError as exc:  # a folder option: a folder cannot go to standard output
            assert "standard output" in str(exc), (path, flag)


@pytest.mark.parametrize(
    "args",
    [
        ["data", "synth", "--rows", "3", "-o", "./-"],
        ["data", "drift", "-n", "3", "-o", "./-", "--data", "{data}"],
    ],
    ids=["synth", "drift"],
)
def test_dot_slash_dash_is_a_file_named_dash(
    project: Path, synthetic_file: Path, args: list[str]
) -> None:
    argv = [a.replace("{data}", str(synthetic_file)) for a in args]
    result = credit(argv, project, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (project / "-").read_text().startswith("laufkont")


def test_an_output_never_replaces_the_tracking_store(project: Path) -> None:
    import sqlite3

    (project / ".credit").mkdir()
    with sqlite3.connect(project / ".credit" / "mlflow.db") as db:
        db.execute("CREATE TABLE experiments (experiment_id INTEGER)")
    before = (project / ".credit" / "mlflow.db").read_bytes()
    result = credit(["data", "synth", "--rows", "3", "-o", ".credit/mlflow.db"], project)
    assert result.returncode == 2, result.stderr
    assert "tracking store" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert (project / ".credit" / "mlflow.db").read_bytes() == before


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
@pytest.mark.parametrize("command", ["describe", "synth", "drift"])
def test_an_output_never_replaces_the_commands_own_input(
    project: Path, synthetic_file: Path, command: str, link: str
) -> None:
    """The data a command reads is never what it writes, by any name: one line, exit 2,
    the file as it was."""
    data = project / "data.csv"
    data.write_bytes(synthetic_file.read_bytes())
    target = {"same": data, "symlink": project / "via-link.csv", "hardlink": project / "hard.csv"}[
        link
    ]
    if link == "symlink":
        target.symlink_to(data)
    elif link == "hardlink":
        os.link(data, target)
    argv = {
        "describe": ["data", "describe", str(data), "--target", "kredit", "--bad", "0"],
        "synth": ["data", "synth", "--rows", "3", "--like", str(data)],
        "drift": ["data", "drift", "--rows", "3"],
    }[command]
    before = data.read_bytes()
    result = credit([*argv, "-o", str(target)], project, {"CREDIT_DATA__PATH": str(data)})
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: --output: ") and "is the input file" in line
    assert data.read_bytes() == before
