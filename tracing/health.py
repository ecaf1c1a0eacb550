"""Readiness: can this process reach what it needs? Each check is bounded in time.

Liveness (/health) is answered in todo_project/asgi.py without touching anything; this is
/health/ready, for operators and deploy gates: the database, the sharing queue, the broker
and the breadcrumb table, each "ok", "skipped" (not configured) or the reason it failed
(which the view logs and does not show).
"""

from __future__ import annotations

import re
import socket
import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

from todo_project.aws import aws_client

CHECK_TIMEOUT_S = 2.0

OK = "ok"
SKIPPED = "skipped"
FAILED = "failed"  # what /health/ready shows of a failed check; the reason is logged


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this runs in a pool thread; do not leave its connection open
    return OK


def check_queue() -> str:
    queue_name = getattr(settings, "SHARING_QUEUE_NAME", "")
    if not queue_name:
        return SKIPPED
    aws_client("sqs").get_queue_url(QueueName=queue_name)
    return OK


def check_table() -> str:
    if not settings.TRACING_ENABLED:
        return SKIPPED
    aws_client("dynamodb").describe_table(TableName=settings.TRACING_TABLE_NAME)
    return OK


def check_broker() -> str:
    url = getattr(settings, "ACTIVEMQ_URL", "")
    if not url:
        return SKIPPED
    errors = []
    for scheme, host, port in broker_addresses(url):
        try:
            stomp_handshake(
                host,
                port,
                use_tls=scheme.endswith("ssl"),
                login=getattr(settings, "ACTIVEMQ_USER", ""),
                passcode=getattr(settings, "ACTIVEMQ_PASSWORD", ""),
            )
            return OK
        except (OSError, ValueError) as error:
            errors.append(f"{host}:{port}: {error}")
    raise ConnectionError("; ".join(errors))


def broker_addresses(url: str) -> list[tuple[str, str, int]]:
    """(scheme, host, port) of a stomp://, stomp+ssl:// or failover:(a,b) broker URL."""
    failover = re.fullmatch(r"failover:\((.*)\)(\?.*)?", url.strip())
    members = failover.group(1).split(",") if failover else [url]
    addresses = []
    for member in members:
        parts = urlsplit(member.strip())
        if parts.scheme not in ("stomp", "stomp+ssl", "stomp+tls", "ssl", "tcp") or not (
            parts.hostname and parts.port
        ):
            raise ValueError(f"not a STOMP broker URL: {member!r}")
        addresses.append((parts.scheme, parts.hostname, parts.port))
    return addresses


def stomp_handshake(host: str, port: int, *, use_tls: bool, login: str, passcode: str) -> None:
    """One CONNECT/CONNECTED round trip, then DISCONNECT.

    A raw frame rather than stomp.py: a probe wants one bounded round trip, and stomp.py's
    connect(wait=True) has no timeout of its own.
    """
    with socket.create_connection((host, port), timeout=CHECK_TIMEOUT_S) as raw:
        sock = raw
        if use_tls:
            sock = ssl.create_default_context().wrap_socket(raw, server_hostname=host)
        headers = f"accept-version:1.2\nhost:{host}\nheart-beat:0,0\n"
        if login:
            headers += f"login:{login}\npasscode:{passcode}\n"
        sock.sendall(f"CONNECT\n{headers}\n\0".encode())
        reply = b""
        while b"\0" not in reply and len(reply) < 65536:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
        command = reply.lstrip(b"\r\n").split(b"\n", 1)[0].strip()
        if command != b"CONNECTED":
            message = re.search(rb"\nmessage:([^\n]*)", reply)
            raise ValueError(
                message.group(1).decode(errors="replace") if message else "no CONNECTED frame"
            )
        sock.sendall(b"DISCONNECT\n\n\0")


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "queue": check_queue,
    "broker": check_broker,
    "table": check_table,
}


def run_checks(timeout_s: float = CHECK_TIMEOUT_S + 1) -> dict[str, str]:
    """Every check at once, each "ok", "skipped" or a reason; the whole within `timeout_s`."""
    # Not a `with` block: leaving it would wait for a check that hangs past the deadline.
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="health")
    futures = {name: pool.submit(check) for name, check in CHECKS.items()}
    deadline = time.monotonic() + timeout_s
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FuturesTimeout:
            results[name] = f"failed: no answer within {timeout_s:g} s"
        except Exception as error:
            results[name] = f"failed: {type(error).__name__}: {error}"
    pool.shutdown(wait=False)
    return results
