"""One listening socket per worker process, on one port (`credit serve --workers N`).

uvicorn's own `--workers` binds one socket in the parent and hands it to every worker. The
kernel then gives each new connection to whichever worker wakes first, and a client that keeps
its connections open (every load balancer and HTTP pool does) stays with that worker: with 8
kept-alive clients one worker was measured doing 86 % of the work. With SO_REUSEPORT each
worker listens on a socket of its own and the kernel spreads connections over the listening
workers, so each takes its share; a worker that dies leaves the group and its replacement joins
with a socket of its own.

The parent holds the port with a socket of the group that never listens (the kernel gives
connections to listening sockets only): the port stays this service's while workers restart,
and a second `credit serve` on the same port is refused, since its first bind is a plain one.
"""

from __future__ import annotations

import logging
import os
import socket
import sys

SPEC_ENV = "CREDIT_SERVE_SPEC"  # a worker's launch, in its environment: how one is known

log = logging.getLogger("credit.serve")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _group_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def hold_port(host: str, port: int) -> socket.socket:
    """Take the port for this service (OSError if anything else has it): first a plain bind,
    which fails if any socket, of any group, is bound there, then the group's placeholder."""
    probe = socket.socket(_family(host), socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((host, port))
    finally:
        probe.close()
    return _group_socket(host, port)


def _claim(host: str, port: int) -> socket.socket:
    """Run in a worker while its arguments are unpickled: its own socket in the group."""
    try:
        sock = _group_socket(host, port)
    except OSError as exc:
        from uvicorn.config import STARTUP_FAILURE

        log.error("worker cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
        sys.exit(STARTUP_FAILURE)
    sock.set_inheritable(True)
    return sock


class PortClaim(socket.socket):
    """The parent's placeholder, which each worker process receives as a socket of its own.

    uvicorn pickles the sockets it hands a new worker (`spawn`). multiprocessing's reducer for
    sockets is registered for `socket.socket` exactly, so this subclass is pickled by
    `__reduce__` instead: as the address, bound again in the worker by `_claim`."""

    def __reduce__(self) -> tuple[object, tuple[str, int]]:
        host, port = self.getsockname()[:2]
        return _claim, (host, port)


def placeholder(host: str, port: int) -> PortClaim:
    """The port held for the service, as the socket list uvicorn's supervisor hands out."""
    held = hold_port(host, port)
    claim = PortClaim(held.family, held.type, held.proto, fileno=held.detach())
    return claim


def port_taken(port: int) -> str:
    """One line: `port` is taken, by which process, and what to do. A `credit serve` (its
    main process, or one of its workers: the workers' environment names the service and
    the process that started them) is named as such; any other holder as the team server's
    check names it (`ops.server_processes.port_in_use`)."""
    import json

    from credit_mlops.escaping import one_line
    from credit_mlops.ops.server_processes import alive, environ_value, port_holder, port_in_use
    from credit_mlops.ops.server_processes import words as command_line
    from credit_mlops.processes.parent import PARENT_ENV

    pid = port_holder(port)
    spec = environ_value(pid, SPEC_ENV) if pid is not None else None
    if pid is None or spec is None:
        argv = command_line(pid) if pid is not None else []
        serving = [os.path.basename(w) for w in argv[:3]] if argv else []
        if "credit" in serving and "serve" in argv:  # one process: the service itself
            return (
                f"port {port} is in use by process {pid}, a credit serve; pick another with "
                f"--port, or stop it: kill {pid}"
            )
        return port_in_use(port)
    try:
        target = f" ({one_line(str(json.loads(spec)['target']))[:80]})"
    except (ValueError, KeyError, TypeError):
        target = ""
    parent = environ_value(pid, PARENT_ENV) or ""
    if parent.isascii() and parent.isdigit() and alive(int(parent)):
        return (
            f"port {port} is in use by process {pid}, a worker of credit serve process "
            f"{parent}{target}; pick another with --port, or stop it: kill {parent}"
        )
    return (
        f"port {port} is in use by process {pid}, a worker of credit serve{target} left "
        f"running after its main process ended; pick another with --port, or stop it: kill {pid}"
    )
