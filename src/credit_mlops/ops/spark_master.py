"""The Spark master URL as a value: checked against the forms Spark itself accepts before
any JVM starts.

Left to Spark, a master it does not know (`bogus://x`, `local[0]`, `spark://host` without
its port, `mesos://...` on Spark 4) makes spark-submit exit before its Java gateway answers,
which reads as "Java did not start". The forms are those of Spark's own parsers
(`SparkMasterRegex`, `SparkSubmit`, `Utils.extractHostPortFromSparkUrl`,
`checkAndGetK8sMasterUrl`): `local`, `local[N]`, `local[*]`, `local[N,F]`, `local[*,F]`,
`local-cluster[N,C,M]`, `spark://HOST:PORT[,HOST:PORT...]`, `yarn`,
`k8s://[http(s)://]HOST[:PORT]`, and `mesos://HOST:PORT` on Spark before 4.

`rpc_problem` then asks what accepts a connection at a spark:// address to answer as
Spark's RPC server does. Left to Spark, a port that accepts but is no Spark master (a web
server, a silent or a closing service) is found out only after the standalone client's
registration retries, fixed in Spark's code at 3 x 20 s, and then as a stopped
SparkContext. The question is a StreamRequest for a file no master serves: every Spark
RPC server (with or without spark.authenticate) answers it with a StreamFailure frame
at once, and logs nothing.
"""

from __future__ import annotations

import re
import socket
import struct
from urllib.parse import urlsplit

from credit_mlops.errors import InputError
from credit_mlops.redaction import redact, scrub

_LOCAL = re.compile(r"local\[([0-9]+|\*)\]")
_LOCAL_FAILURES = re.compile(r"local\[([0-9]+|\*)\s*,\s*([0-9]+)\]")
_LOCAL_CLUSTER = re.compile(r"local-cluster\[\s*([0-9]+)\s*,\s*([0-9]+)\s*,\s*([0-9]+)\s*\]")
_PROBE = b"files/credit-probe"  # a stream id no master serves: it answers StreamFailure
# Spark's frame: its length (8 bytes, itself included), the message type (6: StreamRequest),
# then the stream id as a length-prefixed string
_REQUEST = struct.pack(">qbi", 13 + len(_PROBE), 6, len(_PROBE)) + _PROBE
_ANSWERS = frozenset({7, 8})  # StreamResponse, StreamFailure
_HEAD = 9  # bytes of a frame's length and type
FORMS = (
    "local, local[N], local[*], local[N,F], local[*,F], local-cluster[N,C,M], "
    "spark://HOST:PORT[,HOST:PORT...], yarn, k8s://[https://]HOST[:PORT]"
)


def check_master_form(master: str) -> None:
    """Refuse a master Spark would not parse, in one line naming it and the forms it takes."""
    problem = master_problem(master)
    if problem is not None:
        mesos = ", mesos://HOST:PORT" if _spark_major() < 4 else ""
        raise InputError(
            f"Spark master {redact(master)!r} (--spark-master / spark.master) is malformed "
            f"({scrub(problem, master)}); use one of {FORMS}{mesos}"
        )


def master_problem(master: str) -> str | None:
    """What is wrong with a master URL, or None for a form Spark accepts."""
    if not master.strip():
        return "it is empty"
    if master != master.strip():
        return "spaces around it"
    if master in ("local", "yarn"):
        return None
    if master.startswith("local"):
        return _local_problem(master)
    if master.startswith("spark://"):
        return _standalone_problem(master.removeprefix("spark://"))
    if master.startswith("k8s://"):
        return _k8s_problem(master.removeprefix("k8s://"))
    if master.startswith("mesos://"):
        if _spark_major() >= 4:
            return "Spark 4 no longer runs on Mesos"
        return _host_port_problem(master.removeprefix("mesos://"), "mesos")
    scheme = master.split("://", 1)[0] + "://" if "://" in master else None
    return f"an unknown scheme {scheme}" if scheme else "not a form Spark knows"


def _local_problem(master: str) -> str | None:
    """local[N], local[N,F] (F: the task failures allowed) or local-cluster[N,C,M]."""
    if (found := _LOCAL.fullmatch(master)) is not None:
        counts = [found.group(1)]
    elif (found := _LOCAL_FAILURES.fullmatch(master)) is not None:
        counts = [found.group(1), found.group(2)]
    elif (found := _LOCAL_CLUSTER.fullmatch(master)) is not None:
        counts = list(found.groups())
    else:
        return "local takes [N], [*], [N,F] or [*,F]; local-cluster takes [N,C,M]"
    if any(count != "*" and int(count) < 1 for count in counts):
        return "its counts must be 1 or more"
    return None


def _standalone_problem(hosts: str) -> str | None:
    """One spark://HOST:PORT per master, standby masters after commas."""
    for part in hosts.split(","):
        problem = _host_port_problem(part, "spark")
        if problem is not None:
            return problem
    return None


def _host_port_problem(part: str, scheme: str) -> str | None:
    if not part:
        return f"an empty {scheme}:// address"
    try:
        parts = urlsplit(f"//{part}")
        port = parts.port
    except ValueError as exc:  # a port that is not a number, or out of range
        return f"{part}: {exc}"
    if parts.path or parts.query or parts.fragment or "@" in part or "#" in part:
        return f"{part} is more than HOST:PORT"
    if not parts.hostname:
        return f"{part} names no host"
    if port is None:
        return f"{part} has no port: {scheme}://HOST:PORT"
    return None


def _k8s_problem(api: str) -> str | None:
    """k8s://https://HOST[:PORT]; without a scheme Spark takes https."""
    url = api if "://" in api else f"https://{api}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return f"{api}: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"k8s:// takes an http or https API server, not {parts.scheme}://"
    if not parts.hostname:
        return "k8s:// names no API server host"
    return None


def _spark_major() -> int:
    """The installed Spark's major version (4 when it cannot be told: the newest rules)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return int(version("pyspark").split(".", 1)[0])
    except (PackageNotFoundError, ValueError):
        return 4


def rpc_problem(conn: socket.socket, timeout: float) -> str | None:
    """None when the peer of `conn` answers as Spark's RPC server does; else what it did."""
    conn.settimeout(timeout)
    head = b""
    try:
        conn.sendall(_REQUEST)
        while len(head) < _HEAD and (chunk := conn.recv(256)):
            head += chunk
    except TimeoutError:
        if not head:
            return f"it said nothing in {timeout:g} s"
    except OSError:  # reset, or a broken pipe: it hung up
        pass
    if not head:
        return "it closed the connection without answering"
    if len(head) >= _HEAD:
        length, kind = struct.unpack(">qb", head[:_HEAD])
        if _HEAD <= length <= 1 << 24 and kind in _ANSWERS:
            return None
    first = (head.split(b"\n", 1)[0].rstrip(b"\r") or head)[:40]
    return f"it answered '{repr(first)[2:-1]}'"  # escaped: one printable line
