"""Spark's failures as one line: the checks that run before any JVM, and the translation
of the messages Spark and Py4J raise (texts as Spark 4 writes them)."""

from __future__ import annotations

import os
import re
import socket
import stat
import time
from pathlib import Path

import pytest
from tests.fake_master import NOT_SPARK, fake_master

from credit_mlops.errors import ClusterUnreachableError, CreditError, InputError
from credit_mlops.ops import spark_failures as sf


def test_a_pyspark_python_that_is_not_a_program_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for bad in ("/nonexistent/python", str(tmp_path), "python-that-is-not-on-the-path"):
        monkeypatch.setenv("PYSPARK_PYTHON", bad)
        with pytest.raises(InputError, match=r"PYSPARK_PYTHON=.* is not an executable"):
            sf.check_python()
    not_executable = tmp_path / "python"
    not_executable.write_text("#!/bin/sh\n")
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", str(not_executable))
    monkeypatch.delenv("PYSPARK_PYTHON")
    with pytest.raises(InputError, match="PYSPARK_DRIVER_PYTHON"):
        sf.check_python()
    not_executable.chmod(not_executable.stat().st_mode | stat.S_IXUSR)
    sf.check_python()  # an executable passes; whether it has pandas shows in its workers


def test_no_java_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(InputError, match=r"JAVA_HOME=.* holds no bin/java"):
        sf.check_java()
    monkeypatch.delenv("JAVA_HOME")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match="none on the PATH"):
        sf.check_java()


def test_a_master_that_does_not_answer_is_exit_3_in_seconds() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    began = time.monotonic()
    with pytest.raises(ClusterUnreachableError, match="is unreachable") as info:
        sf.check_master(f"spark://127.0.0.1:{port}", timeout=2)
    assert info.value.exit_code == 3
    assert time.monotonic() - began < 30  # Spark alone retries for minutes


@pytest.mark.parametrize("mode", NOT_SPARK)
def test_a_port_that_accepts_but_is_no_spark_master_is_exit_3(mode: str) -> None:
    """Spark alone would try to register for 3 x 20 s, then say "stopped SparkContext"."""
    with fake_master(mode) as master, pytest.raises(ClusterUnreachableError) as info:
        sf.check_master(master, timeout=2)
    assert info.value.exit_code == 3
    said = str(info.value)
    assert f"{master} answers the connection, but not as a Spark master" in said
    assert "\n" not in said and "--spark-master" in said


def test_what_the_port_did_is_named() -> None:
    for mode, needle in [
        ("silent", "said nothing in 2 s"),
        ("http", "answered 'HTTP/1.1 400 Bad Request'"),
        ("closes", "closed the connection"),
        ("garbage", "answered '\\x00\\x01garbage"),
    ]:
        with (
            fake_master(mode) as master,
            pytest.raises(ClusterUnreachableError, match=re.escape(needle)),
        ):
            sf.check_master(master, timeout=2)


def test_a_port_that_answers_as_spark_passes() -> None:
    with fake_master("spark") as master:
        sf.check_master(master, timeout=2)
        sf.check_master(f"{master},127.0.0.1:1", timeout=2)  # standby masters after commas


def test_a_master_spark_gave_up_on_is_exit_3_though_the_exception_says_stopped() -> None:
    """The standalone client logs that it gave up, then stops the context: Python sees only
    "Cannot call methods on a stopped SparkContext"."""
    py4j = type("Py4JJavaError", (Exception,), {"__module__": "py4j.protocol"})
    stopped = py4j("An error occurred\n: java.lang.IllegalStateException: Cannot call methods "
                   "on a stopped SparkContext.")  # fmt: skip
    with sf.quiet_jvm():
        os.write(2, b"26/12/07 ERROR StandaloneSchedulerBackend: Application has been killed. "
                    b"Reason: All masters are unresponsive! Giving up.\n")  # fmt: skip
        error = sf.translate(stopped, "spark://m:7077")
    assert isinstance(error, ClusterUnreachableError) and "spark://m:7077" in str(error)
    assert type(sf.translate(stopped, "spark://m:7077")) is CreditError  # no log: generic


@pytest.mark.parametrize(
    ("master", "address"),
    [
        ("local[*]", None),
        ("local[2]", None),
        ("yarn", None),
        ("spark://h:7078", ("h", 7078)),
        ("spark://h", ("h", 7077)),
        ("spark://a:7077,b:7077", ("a", 7077)),
        ("k8s://https://api:6443", ("api", 6443)),
    ],
)
def test_master_addresses(master: str, address: tuple[str, int] | None) -> None:
    assert sf.master_address(master) == address


def test_a_master_with_a_bad_port_is_refused() -> None:
    with pytest.raises(InputError, match="malformed"):
        sf.check_master("spark://h:99999")


@pytest.mark.parametrize(
    ("text", "cls", "needle"),
    [
        (
            "Job aborted due to stage failure: java.io.IOException: Cannot run program "
            '"/nonexistent/python": error=2, No such file or directory',
            InputError,
            "/nonexistent/python",
        ),
        (
            "An exception was thrown from the Python worker:\nTraceback (most recent call "
            "last):\nModuleNotFoundError: No module named 'pandas'",
            InputError,
            "'pandas'",
        ),
        (
            "org.apache.spark.SparkException: EOFException occurred while reading the port "
            "number from pyspark.daemon's stdout",
            InputError,
            "PYSPARK_PYTHON",
        ),
        (
            "[JAVA_GATEWAY_EXITED] Java gateway process exited before sending its port number.",
            InputError,
            "Java",
        ),
        (
            "Application has been killed. Reason: All masters are unresponsive! Giving up.",
            ClusterUnreachableError,
            "spark://m:7077",
        ),
        ("java.io.IOException: No space left on device", InputError, "disk space"),
    ],
)
def test_spark_messages_become_our_errors(text: str, cls: type, needle: str) -> None:
    error = sf.translate(RuntimeError(text), "spark://m:7077")
    assert isinstance(error, cls)
    assert needle in str(error)
    assert "\n" not in str(error)


def test_an_unknown_failure_of_ours_is_left_alone() -> None:
    assert sf.translate(ValueError("a bug of ours"), "local[*]") is None
    with pytest.raises(ValueError), sf.spark_failures("local[*]"):
        raise ValueError("a bug of ours")
    with pytest.raises(InputError, match="ours"), sf.spark_failures("local[*]"):
        raise InputError("ours")


def test_an_unknown_spark_failure_is_one_line() -> None:
    py4j = type("Py4JJavaError", (Exception,), {"__module__": "py4j.protocol"})
    error = sf.translate(py4j("An error occurred while calling o1.x.\n: java.lang.Boom\n\tat"), "x")
    assert type(error) is CreditError and "\n" not in str(error) and "--debug" in str(error)


def test_a_spark_home_without_spark_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from credit_mlops.ops.spark_failures import check_spark_home

    monkeypatch.setenv("SPARK_HOME", str(tmp_path / "nonexistent"))
    with pytest.raises(InputError, match="holds no bin/spark-submit"):
        check_spark_home()
    (tmp_path / "spark" / "bin").mkdir(parents=True)
    (tmp_path / "spark" / "bin" / "spark-submit").write_text("#!/bin/sh\n")
    monkeypatch.setenv("SPARK_HOME", str(tmp_path / "spark"))
    check_spark_home()
    monkeypatch.delenv("SPARK_HOME")
    check_spark_home()


def test_a_java_that_did_not_start_under_submit_args_names_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from credit_mlops.ops.spark_failures import translate

    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--garbage")
    error = translate(RuntimeError("Java gateway process exited before sending its port"), "x")
    assert error is not None and "PYSPARK_SUBMIT_ARGS" in str(error)


def _write_failure(path: str) -> Exception:
    """A write failure as Spark 4 raises it through Py4J (its first lines and the cause)."""
    py4j = type("Py4JJavaError", (Exception,), {"__module__": "py4j.protocol"})
    return py4j(
        "An error occurred while calling o1014.parquet.\n: org.apache.spark.SparkException: "
        f"[TASK_WRITE_FAILED] Task failed while writing rows to {path}. SQLSTATE: 58030\n"
        "Caused by: java.io.IOException: No space left on device"
    )


def test_a_full_disk_where_the_output_is_written_is_the_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "full" / ".sp_out.x1" / "parquet"
    assert sf.fills_output(_write_failure(f"file:{work}"), work)
    assert sf.fills_output(_write_failure(work.as_uri()), work)
    monkeypatch.chdir(tmp_path)  # the output named relative to the working folder
    assert sf.fills_output(_write_failure(f"file:{work}"), Path("full/.sp_out.x1/parquet"))


def test_a_full_disk_elsewhere_is_sparks_scratch_space(tmp_path: Path) -> None:
    work = tmp_path / "out" / ".sp_out.x1" / "parquet"
    scratch = _write_failure("file:/tmp/blockmgr-1234/0c/shuffle_0_1_0.data")
    assert not sf.fills_output(scratch, work)
    error = sf.translate(scratch, "local[*]")
    assert isinstance(error, InputError) and error.exit_code == 2
    assert str(error) == (
        "Spark ran out of disk space in its scratch folders; free some, or set "
        "SPARK_LOCAL_DIRS to a folder on a larger disk"
    )
    other = RuntimeError(f"Task failed while writing rows to file:{work}: Permission denied")
    assert not sf.fills_output(other, work)  # not a full disk: left to the other rules


def test_the_outputs_full_disk_is_said_as_every_command_says_it(tmp_path: Path) -> None:
    """Spark's write into the output's work folder fails: an OSError naming the output
    passes the Spark translation and becomes the common disk-full line (exit 1)."""
    from credit_mlops.cli.os_errors import os_error_line
    from credit_mlops.lifecycle import spark

    work = tmp_path / "full" / ".sp_out.x1" / "parquet"

    class Scored:
        class write:  # as Spark's DataFrame.write
            @staticmethod
            def parquet(path: str) -> None:
                raise _write_failure(f"file:{Path(path).resolve()}")

    with pytest.raises(OSError) as caught, sf.spark_failures("local[*]"):
        spark._write(Scored(), work, Path("full/sp_out"))
    assert caught.value.filename == "full/sp_out"
    assert os_error_line(caught.value) == (
        "the disk is full writing full/sp_out (No space left on device); nothing was "
        "half-written and earlier files are kept - free space and run again",
        1,
    )
