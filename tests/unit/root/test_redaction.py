"""URIs shown safely, including Spark's k8s:// master, which wraps a whole https URI."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.redaction import redact, scrub, secrets_in


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("k8s://https://bob:S3cretPW@127.0.0.1:6443", "k8s://https://127.0.0.1:6443"),
        ("spark://bob:S3cretPW@127.0.0.1:7077", "spark://127.0.0.1:7077"),
        ("k8s://https://h:443/api?token=S3cretPW", "k8s://https://h:443/api?token=********"),
        ("local[*]", "local[*]"),
    ],
)
def test_credentials_are_cut_from_plain_and_wrapped_uris(uri: str, shown: str) -> None:
    assert redact(uri) == shown
    assert "S3cretPW" not in redact(uri)
    if "S3cretPW" in uri:
        assert "S3cretPW" in secrets_in(uri)


@pytest.mark.parametrize(
    "master", ["k8s://https://bob:S3cretPW@127.0.0.1:6443", "spark://bob:S3cretPW@127.0.0.1"]
)
def test_a_spark_masters_password_never_reaches_config_show_or_an_error(
    project: object, monkeypatch: pytest.MonkeyPatch, master: str
) -> None:
    monkeypatch.setenv("CREDIT_SPARK__MASTER", master)
    shown = CliRunner().invoke(app, ["config", "show"], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    assert "spark.master" in shown.stdout and "S3cretPW" not in shown.output
    from credit_mlops.errors import CreditError
    from credit_mlops.ops.spark_failures import check_master

    with pytest.raises(CreditError) as caught:  # no port: malformed; k8s: nothing listens
        check_master(master, 1.0)
    assert "S3cretPW" not in str(caught.value) and "bob" not in str(caught.value)


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        (
            "http://127.0.0.1:5739/path;password=S3cretPW",
            "http://127.0.0.1:5739/path;password=********",
        ),
        ("https://h/a;jsessionid=S3cretPW/runs?x=1", "https://h/a;jsessionid=********/runs?x=1"),
        ("https://h/api;api_key=S3cretPW;mode=ro", "https://h/api;api_key=********;mode=ro"),
        ("k8s://https://h:443/api;token=S3cretPW", "k8s://https://h:443/api;token=********"),
    ],
)
def test_secret_path_parameters_are_masked(uri: str, shown: str) -> None:
    assert redact(uri) == shown
    assert secrets_in(uri) == ["S3cretPW"]
    assert scrub(f"could not reach {uri} (S3cretPW)", uri) == f"could not reach {shown} (********)"


@pytest.mark.parametrize(
    "uri", ["http://h/a;mode=ro/b", "http://h/a;version=2", "sqlite:////tmp/a;b/mlflow.db"]
)
def test_plain_path_parameters_stay_as_written(uri: str) -> None:
    assert redact(uri) == uri
    assert secrets_in(uri) == []


def test_a_path_parameters_password_never_reaches_an_error(project: object) -> None:
    with socket.socket() as s:  # a port nothing listens on once the block ends
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"http://127.0.0.1:{port}/path;password=S3cretPW"
    result = CliRunner().invoke(app, ["compare", "--mlflow-uri", uri])
    assert result.exit_code == 3, result.output
    assert "S3cretPW" not in result.output
    assert f"127.0.0.1:{port}/path;password=********" in result.output
