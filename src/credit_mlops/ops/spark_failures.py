"""Spark's failures as one line: the checks before a JVM starts, a quiet JVM, and the one
translation of Py4J / Java errors - used by every Spark engine (scoring and training).

Left alone, a Python worker that cannot start, a missing Java or a master that does not
answer ends in 94-460 lines of Java and Python traceback (log4j writes its own ERROR lines
straight to the terminal). Here:
- `check_environment` refuses, before any JVM, a PYSPARK_PYTHON / PYSPARK_DRIVER_PYTHON
  that is not an executable, no Java (PATH or JAVA_HOME), a cluster master that does
  not accept a TCP connection within seconds, and a spark:// port that accepts but does
  not answer as Spark (Spark itself tries for a minute, then says "stopped SparkContext");
- `quiet_jvm` starts the JVM with its stderr in a temporary file, so that our one line
  is the only one on the terminal;
- `spark_failures()` turns what still fails inside Spark into the same errors.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from credit_mlops.errors import ClusterUnreachableError, CreditError, InputError
from credit_mlops.redaction import redact, scrub

MASTER_TIMEOUT = 10.0  # seconds a cluster master has to accept a connection
PYTHON_VARS = ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")
JAVA_HINT = "install Java 17+ and put it on the PATH (or set JAVA_HOME)"


def check_environment(master: str, timeout: float = MASTER_TIMEOUT) -> None:
    """Everything Spark needs that can be checked in milliseconds, in one line each."""
    check_python()
    check_java()
    check_spark_home()
    check_master(master, timeout)


def check_spark_home() -> None:
    """SPARK_HOME, when set, must hold Spark's launcher (pyspark runs bin/spark-submit from
    it, and a wrong one ends in a FileNotFoundError traceback)."""
    home = os.environ.get("SPARK_HOME")
    if not home:
        return
    submit = Path(home, "bin", "spark-submit")
    if not submit.is_file():
        raise InputError(
            f"SPARK_HOME={home} holds no bin/spark-submit; point it at a Spark installation, "
            "or unset it to use the pyspark package's own"
        )


def check_python() -> None:
    for name in PYTHON_VARS:
        value = os.environ.get(name)
        if not value:
            continue
        found = shutil.which(value)
        if found is None or not os.access(found, os.X_OK) or Path(found).is_dir():
            raise InputError(
                f"{name}={value} is not an executable Python; point it at the project's "
                "interpreter (the one `credit` runs on) or unset it"
            )


def check_java() -> None:
    home = os.environ.get("JAVA_HOME")
    if java_program() is not None:
        return
    if home:
        raise InputError(f"JAVA_HOME={home} holds no bin/java; {JAVA_HINT}")
    raise InputError(f"Spark needs Java and there is none on the PATH; {JAVA_HINT}")


def java_program() -> str | None:
    """The java Spark would start: JAVA_HOME's, else the PATH's; None when there is none."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home, "bin", "java")
        return str(java) if java.is_file() and os.access(java, os.X_OK) else None
    return shutil.which("java")


def master_address(master: str) -> tuple[str, int] | None:
    """(host, port) of a cluster master URL; None for local[...] and yarn (no address)."""
    if master.startswith("spark://"):
        first = master.removeprefix("spark://").split(",")[0]  # standby masters follow
        parts = urlsplit(f"//{first}")
        return parts.hostname or "localhost", parts.port or 7077
    if master.startswith("k8s://"):
        parts = urlsplit(master.removeprefix("k8s://"))
        return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)
    return None


def check_master(master: str, timeout: float = MASTER_TIMEOUT) -> None:
    """The master as a value first (a form Spark takes), then that a cluster one accepts a
    connection, and for spark:// that it answers as Spark does: each within `timeout`."""
    from credit_mlops.ops.spark_master import check_master_form, rpc_problem

    check_master_form(master)
    try:
        address = master_address(master)
    except ValueError as exc:  # a port that is not a number, or out of range
        raise InputError(
            f"Spark master {redact(master)!r} is malformed ({scrub(str(exc), master)})"
        ) from None
    if address is None:
        return
    try:
        conn = socket.create_connection(address, timeout=timeout)
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ClusterUnreachableError(
            f"Spark master at {redact(master)} is unreachable ({reason}); start it or fix "
            "--spark-master (local[*] runs on this machine)"
        ) from None
    with conn:
        problem = rpc_problem(conn, timeout) if master.startswith("spark://") else None
    if problem is not None:
        raise ClusterUnreachableError(
            f"Spark master at {redact(master)} answers the connection, but not as a Spark master "
            f"({problem}); fix --spark-master (a standalone master listens on 7077 unless "
            "set otherwise), or use local[*] (this machine)"
        )


@contextlib.contextmanager
def quiet_jvm() -> Iterator[None]:
    """The JVM started inside the block writes its stderr (log4j, the JDK's own notes,
    its Python workers' tracebacks) to an unnamed temporary file, not to the terminal:
    file descriptor 2 is swapped while it starts, and it keeps the file for its life."""
    import sys

    with tempfile.TemporaryFile(prefix="credit-spark-") as log:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)
        _JVM_LOGS.append(log.fileno())  # read by translate() when the JVM gives up
        try:
            yield
        finally:
            _JVM_LOGS.remove(log.fileno())
            os.dup2(saved, 2)
            os.close(saved)


_JVM_LOGS: list[int] = []  # the file descriptors of the quiet JVMs' stderr, newest last
_JVM_FAILURE = re.compile(r"^(?:Exception in thread \S+ [\w.$]+: |Error: )(.+)$", re.MULTILINE)


_UNRESPONSIVE = ("all masters are unresponsive", "failed to connect to master")


def _jvm_said(needle: str) -> bool:
    """Whether a quiet JVM wrote `needle` (any case): the standalone client logs that it
    gave up on the master and stops the context, so the exception only says "stopped"."""
    if not _JVM_LOGS:
        return False
    text = os.pread(_JVM_LOGS[-1], 1024 * 1024, 0).decode("utf-8", "replace")
    return needle in text.lower()


def jvm_reason() -> str | None:
    """The reason a quiet JVM wrote before it gave up (spark-submit's `Exception in thread
    "main" ...: reason` or `Error: reason`), or None."""
    if not _JVM_LOGS:
        return None
    text = os.pread(_JVM_LOGS[-1], 256 * 1024, 0).decode("utf-8", "replace")
    found = _JVM_FAILURE.search(text)
    return found.group(1).strip().rstrip(".")[:300] if found else None


@contextlib.contextmanager
def spark_failures(master: str) -> Iterator[None]:
    """Spark's failures inside the block as our one-line errors; our own errors pass."""
    try:
        yield
    except CreditError:
        raise
    except Exception as exc:
        error = translate(exc, master)
        if error is None:
            raise
        raise error from exc  # --debug shows Spark's own trace


def translate(exc: BaseException, master: str) -> CreditError | None:
    """Our error for a Spark failure, or None when it is not one we recognise (or a full
    disk already told with the file it stopped, which the CLI words as every command does)."""
    if isinstance(exc, OSError) and exc.filename and exc.errno in _DISK_FULL:
        return None
    text = _text(exc)
    lowered = text.lower()
    if "cannot run program" in lowered and "python" in lowered:
        program = text.split("Cannot run program", 1)[1].split(":", 1)[0].strip().strip('"')
        return InputError(
            f"Spark's Python workers cannot start ({program}: no such program); point "
            "PYSPARK_PYTHON at the project's interpreter or unset it"
        )
    if "no module named" in lowered and "python worker" in lowered:
        module = text.lower().split("no module named", 1)[1].split()[0].strip("'\"")
        return InputError(
            f"Spark's Python workers lack the module {module!r}: PYSPARK_PYTHON must be the "
            "project's interpreter (the one `credit` runs on), or unset it"
        )
    if any(
        marker in lowered
        for marker in (
            "python worker failed to connect back",
            "python worker exited",
            "while reading the port number",
        )
    ):
        return InputError(
            "Spark's Python workers died at start; PYSPARK_PYTHON must be the project's "
            "interpreter (with pandas, pyarrow and mlflow)"
        )
    if "java_gateway_exited" in lowered or "java gateway process exited" in lowered:
        if os.environ.get("PYSPARK_SUBMIT_ARGS"):  # Java is there (checked): the arguments
            return InputError(
                "Spark's Java process did not start; PYSPARK_SUBMIT_ARGS is set and Spark may "
                "have refused it: fix it (it must end with pyspark-shell) or unset it"
            )
        if java_program() is None:
            return InputError(f"Spark's Java process did not start; {JAVA_HINT}")
        return _gave_up(master)
    if any(m in lowered for m in _UNRESPONSIVE) or _jvm_said(_UNRESPONSIVE[0]):
        return ClusterUnreachableError(  # after Spark's registration retries (3 x 20 s)
            f"Spark master at {redact(master)} never took this application (Spark gave up on it); "
            "start it or fix --spark-master (local[*] runs on this machine)"
        )
    if "no space left on device" in lowered:  # not the output's disk (`fills_output`)
        return InputError(
            "Spark ran out of disk space in its scratch folders; free some, or set "
            "SPARK_LOCAL_DIRS to a folder on a larger disk"
        )
    if type(exc).__module__.startswith(("py4j", "pyspark")):
        first = next((line.strip(": ") for line in text.splitlines() if line.strip(": ")), "")
        return CreditError(f"Spark failed: {first[:300]}; rerun with --debug for its trace")
    return None


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def fills_output(exc: BaseException, folder: Path) -> bool:
    """Whether `exc` is a full disk met while Spark wrote into `folder` (the output's own
    work folder, which Spark's write failure names), rather than in its scratch space."""
    text = _text(exc)
    if "no space left on device" not in text.lower():
        return False
    where = folder.resolve()  # Spark names it by its absolute path (or as a file: URI)
    return str(where) in text or where.as_uri() in text


def _gave_up(master: str) -> InputError:
    """Java started (it is installed) and spark-submit exited: the master or the cluster
    settings it needs are what it refused, never Java."""
    reason = jvm_reason()
    said = f": {reason}" if reason else " (a master it cannot use or reach)"
    return InputError(
        f"Spark's Java process started but gave up on master {redact(master)}{said}; fix "
        "--spark-master / spark.master or what that cluster needs, or use local[*] (this machine)"
    )


def _text(exc: BaseException) -> str:
    """The failure's own message and those it was raised from (Py4J nests the Java one)."""
    parts: list[str] = []
    chain: BaseException | None = exc
    while chain is not None and len(parts) < 8:
        parts.append(str(chain))  # a Py4JJavaError's text holds the Java exception's
        chain = chain.__cause__ or chain.__context__
    return "\n".join(p for p in parts if p)
