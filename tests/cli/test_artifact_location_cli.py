"""An experiment whose run files go somewhere this machine cannot write: a scheme whose
client library is not installed, or a network location where nothing answers, is one
line before training; a failure while the files are written keeps the run in the outbox,
and `credit sync` names the artifact store, not the tracking store."""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from tests.cli.test_hardening import one_error_line
from tests.conftest import tracking_uri
from typer.testing import CliRunner

from credit_mlops.cli.main import app

runner = CliRunner()
TRAIN = ["train", "-m", "logistic_regression", "--no-smote", "--cv-folds", "2"]
TRAIN += ["--cv-repeats", "1", "-q"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def hangs_up() -> Iterator[int]:
    """A port that takes a connection and closes it at once: no FTP server behind."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed: the block is over
                return
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        server.shutdown(socket.SHUT_RDWR)
        server.close()
        thread.join(timeout=30)


def one_line(result: Result, code: int, *needles: str) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def experiment(store: Path, name: str, location: str) -> None:
    from mlflow import MlflowClient

    MlflowClient(tracking_uri(store)).create_experiment(name, artifact_location=location)


def entries(store: Path) -> list[Path]:
    outbox = store / "outbox"
    return [p for p in outbox.iterdir() if not p.name.startswith(".")] if outbox.exists() else []


@pytest.mark.skipif(importlib.util.find_spec("boto3") is not None, reason="boto3 is installed")
def test_an_s3_location_without_boto3_is_refused_before_training(
    store: Path, synthetic_file: Path
) -> None:
    experiment(store, "s3exp", "s3://no-such-bucket/x")
    result = runner.invoke(
        app, [*TRAIN, "--data", str(synthetic_file), "--mlflow-experiment", "s3exp"]
    )
    one_error_line(
        result, "'s3exp'", "s3://no-such-bucket/x", "pip install boto3", "another experiment"
    )
    assert result.exit_code == 2
    assert entries(store) == []


def test_an_ftp_location_where_nothing_listens_is_unreachable_before_training(
    store: Path, synthetic_file: Path
) -> None:
    location = f"ftp://127.0.0.1:{closed_port()}/x"
    experiment(store, "ftpexp", location)
    result = runner.invoke(
        app, [*TRAIN, "--data", str(synthetic_file), "--mlflow-experiment", "ftpexp"]
    )
    one_line(result, 3, "run files of experiment 'ftpexp'", location, "unreachable")
    assert "tracking server" not in result.output
    assert entries(store) == []


def test_a_failure_writing_run_files_keeps_the_run_for_sync(
    store: Path, synthetic_file: Path
) -> None:
    argv = [*TRAIN, "--data", str(synthetic_file), "--mlflow-experiment", "ftpexp"]
    with hangs_up() as port:  # answers the check's connection, then fails FTP's greeting
        location = f"ftp://127.0.0.1:{port}/x"
        experiment(store, "ftpexp", location)
        result = runner.invoke(app, argv)
    one_line(result, 1, f"run files of experiment 'ftpexp' could not be written to {location}")
    assert "outbox" in result.stderr
    assert len(entries(store)) == 1  # the trained model is kept
    result = runner.invoke(app, ["sync"])  # nothing listens there now
    one_line(result, 3, f"run files of experiment 'ftpexp' go to {location}", "unreachable")
    assert "tracking server" not in result.stderr
    assert len(entries(store)) == 1  # still kept for the next try
