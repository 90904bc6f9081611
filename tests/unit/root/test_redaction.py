"""URIs shown safely, including Spark's k8s:// master, which wraps a whole https URI."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from credit_mlops.cli.main import app
from credit_mlops.redaction import redact, secrets_in


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
