"""The Spark master URL as a value: the forms Spark's own parsers take pass, anything else
is one line naming it and the forms, before any JVM; and a JVM that starts and then gives
up on its master is never blamed on Java."""

from __future__ import annotations

import pytest

from credit_mlops.errors import InputError
from credit_mlops.ops import spark_failures as sf
from credit_mlops.ops.spark_master import FORMS, check_master_form, master_problem
from credit_mlops.redaction import redact

ACCEPTED = [
    "local",
    "local[1]",
    "local[8]",
    "local[*]",
    "local[4,3]",
    "local[*, 2]",
    "local-cluster[2,1,1024]",
    "local-cluster[ 2 , 1 , 512 ]",
    "spark://host:7077",
    "spark://10.0.0.1:7077",
    "spark://a:7077,b:7078",
    "spark://[::1]:7077",
    "yarn",
    "k8s://https://api.example:6443",
    "k8s://http://127.0.0.1:8080",
    "k8s://api.example:443",
]

REFUSED = {
    "bogus://x": "unknown scheme bogus://",
    "": "empty",
    " local[*]": "spaces",
    "local[0]": "1 or more",
    "local[]": "local takes",
    "local[two]": "local takes",
    "local[*,*]": "local takes",
    "local-cluster[2,1]": "local-cluster takes [N,C,M]",
    "localhost": "local takes",
    "spark://host": "host has no port",
    "spark://host:99999": "out of range",
    "spark://host:port": "host:port",
    "spark://a:7077,": "empty spark:// address",
    "spark://:7077": "names no host",
    "spark://host:7077/path": "more than HOST:PORT",
    "spark://user@host:7077": "more than HOST:PORT",
    "yarn-client": "not a form Spark knows",
    "YARN": "not a form Spark knows",
    "k8s://": "names no API server",
    "k8s://ftp://api:21": "http or https",
    "mesos://host:5050": "Spark 4 no longer runs on Mesos",
    "host:7077": "not a form Spark knows",
}


@pytest.mark.parametrize("master", ACCEPTED)
def test_the_forms_spark_takes_pass(master: str) -> None:
    assert master_problem(master) is None
    check_master_form(master)


@pytest.mark.parametrize(("master", "what"), REFUSED.items(), ids=list(REFUSED))
def test_anything_else_is_one_line_naming_it_and_the_forms(master: str, what: str) -> None:
    with pytest.raises(InputError) as caught:
        check_master_form(master)
    message = str(caught.value)
    assert caught.value.exit_code == 2
    shown = redact(master)  # a user name or password in it never shown
    assert "\n" not in message and repr(shown) in message and what in message
    assert FORMS in message


def test_mesos_is_a_form_of_spark_before_4(monkeypatch: pytest.MonkeyPatch) -> None:
    from credit_mlops.ops import spark_master

    monkeypatch.setattr(spark_master, "_spark_major", lambda: 3)
    assert master_problem("mesos://host:5050") is None
    assert master_problem("mesos://host") == "host has no port: mesos://HOST:PORT"
    with pytest.raises(InputError, match="mesos://HOST:PORT"):
        check_master_form("bogus://x")


def test_a_malformed_master_is_refused_before_any_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    def no_connection(*args: object, **kwargs: object) -> None:
        raise AssertionError("a malformed master is never dialled")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    with pytest.raises(InputError, match="malformed"):
        sf.check_master("spark://host")
    with pytest.raises(InputError, match="malformed"):
        sf.check_environment("bogus://x")


GATEWAY = "[JAVA_GATEWAY_EXITED] Java gateway process exited before sending its port number."


def test_a_jvm_that_started_and_gave_up_on_its_master_is_not_blamed_on_java(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What spark-submit writes before it exits is the reason; Java is installed."""
    import os

    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    monkeypatch.setattr(sf, "java_program", lambda: "/usr/bin/java")
    with sf.quiet_jvm():
        os.write(
            2,
            b'WARNING: Using incubator modules\nException in thread "main" '
            b"org.apache.spark.SparkException: When running with master 'yarn' either "
            b"HADOOP_CONF_DIR or YARN_CONF_DIR must be set in the environment.\n\tat x\n",
        )
        error = sf.translate(RuntimeError(GATEWAY), "yarn")
    assert isinstance(error, InputError) and "\n" not in str(error)
    assert "HADOOP_CONF_DIR" in str(error) and "master yarn" in str(error)
    assert "install Java" not in str(error)
    error = sf.translate(RuntimeError(GATEWAY), "spark://m:7077")  # no log: still not Java
    assert error is not None and "install Java" not in str(error)
    assert "master spark://m:7077" in str(error)


def test_without_java_the_gateway_exit_still_says_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    monkeypatch.setattr(sf, "java_program", lambda: None)
    error = sf.translate(RuntimeError(GATEWAY), "local[*]")
    assert error is not None and "install Java 17+" in str(error)
