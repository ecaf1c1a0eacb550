"""Dashboard requests per second with breadcrumb tracing on and off, in the same run.

Starts moto server (DynamoDB) and two copies of the production web command
(`deploy/entrypoint.sh web`, WEB_CONCURRENCY=1, DEBUG off) against one fresh PostgreSQL
database: one with TRACING_ENABLED=true, one with false. Both log JSON and EMF lines as in
production; only the breadcrumbs differ. wrk loads the signed-in dashboard of each in turn,
alternating rounds so that whatever else the machine is doing falls on both alike. At the
end the traced server is stopped (its exit flush runs) and the breadcrumbs it wrote are
counted, to show that tracing really was on.

    .venv/bin/python bench/tracing.py       (from the project root)
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch_database import ScratchDatabase  # noqa: E402
from bench.wrk import ensure_wrk  # noqa: E402
from deploy.local.aws_resources import local_client  # noqa: E402
from deploy.local.moto_server import MotoServer, free_port  # noqa: E402

DATABASE = ScratchDatabase("tracing")
TABLE = "bench-breadcrumbs"
REGION = "eu-central-1"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
SECONDS_PER_ROUND = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
TODOS = 20

SETUP_SCRIPT = f"""
import datetime
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User
from todos.services import create_todo
user = User.objects.create_user(username="bench", email="bench@example.com")
for number in range({TODOS}):
    create_todo(actor=user, title=f"Todo {{number}}", description="", priority="DEFAULT",
                due_date=datetime.date.today() + datetime.timedelta(days=number + 1))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def wait_until_up(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout_s}s")


def wrk(url: str, cookie: str) -> tuple[float, int]:
    """(requests per second, requests completed) of one wrk run."""
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS_PER_ROUND}s",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"wrk saw failing responses:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    completed = re.search(r"(\d+) requests in", output)
    if rate is None or completed is None:
        raise RuntimeError(f"no figures in wrk's output:\n{output}")
    return float(rate.group(1)), int(completed.group(1))


def count_breadcrumbs(endpoint_url: str) -> int:
    dynamodb = local_client("dynamodb", endpoint_url, REGION)
    request = {
        "TableName": TABLE,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "USER#bench"}},
        "Select": "COUNT",
    }
    total = 0
    while True:
        page = dynamodb.query(**request)
        total += int(page["Count"])
        if "LastEvaluatedKey" not in page:
            return total
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def main() -> int:
    ensure_wrk()
    moto = MotoServer().start()
    DATABASE.create()
    environment = {
        **os.environ,
        "PYTHON": sys.executable,
        "DJANGO_SETTINGS_MODULE": "todo_project.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "TOKEN_ENCRYPTION_KEY": "bench-only-token-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": DATABASE.url,
        # Under ASGI each request runs in a fresh thread, and a persistent connection kept
        # by a thread that is gone is never reused: with the default (60 s) the server runs
        # PostgreSQL out of connections within seconds. See the note on issue 5.
        "DATABASE_CONN_MAX_AGE": "0",
        "AWS_ENDPOINT_URL": moto.url,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "TRACING_TABLE_NAME": TABLE,
        "WEB_CONCURRENCY": "1",
        "HOST": "127.0.0.1",
    }
    entrypoint = str(ROOT / "deploy" / "entrypoint.sh")
    servers: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for command in (
            ["migrate"],
            ["manage", "collectstatic", "--no-input"],
            ["manage", "create_tracing_table"],
        ):
            subprocess.run(
                [entrypoint, *command],
                check=True,
                cwd=ROOT,
                env=environment,
                stdout=subprocess.DEVNULL,
            )
        session_key = subprocess.run(
            [entrypoint, "manage", "shell", "-c", SETUP_SCRIPT],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=environment,
        ).stdout.split()[-1]
        cookie = f"sessionid={session_key}"

        urls = {}
        for mode, enabled in (("traced", "true"), ("untraced", "false")):
            port = free_port()
            servers[mode] = subprocess.Popen(
                [entrypoint, "web"],
                cwd=ROOT,
                env={**environment, "PORT": str(port), "TRACING_ENABLED": enabled},
                stdout=subprocess.DEVNULL,
            )
            urls[mode] = f"http://127.0.0.1:{port}/dashboard"
        for url in urls.values():
            wait_until_up(url)
            response = requests.get(url, headers={"Cookie": cookie}, timeout=10)
            if response.status_code != 200 or "Todo 19" not in response.text:
                raise RuntimeError(f"{url} does not show the signed-in dashboard")
        traced_requests = 1  # the check above
        traced_requests += wrk(urls["traced"], cookie)[1]  # warm-up: connections, caches
        wrk(urls["untraced"], cookie)

        rates: dict[str, list[float]] = {"traced": [], "untraced": []}
        for round_number in range(ROUNDS):
            order = ("traced", "untraced") if round_number % 2 == 0 else ("untraced", "traced")
            for mode in order:
                rate, completed = wrk(urls[mode], cookie)
                rates[mode].append(rate)
                if mode == "traced":
                    traced_requests += completed

        servers["traced"].send_signal(signal.SIGTERM)  # its exit handler flushes the buffer
        servers["traced"].wait(timeout=30)
        written = count_breadcrumbs(moto.url)
    finally:
        for server in servers.values():
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=30)
        moto.stop()
        DATABASE.drop()

    traced = statistics.median(rates["traced"])
    untraced = statistics.median(rates["untraced"])
    print(f"traced_rps: {traced:.1f}")
    print(f"untraced_rps: {untraced:.1f}")
    print(f"traced_to_untraced: {traced / untraced:.3f}")
    print(f"rounds: {ROUNDS}")
    print(f"seconds_per_round: {SECONDS_PER_ROUND}")
    print(f"connections: {CONNECTIONS}")
    # wrk counts completed responses; a request cut off at the end of a round may still
    # have left its breadcrumb, so written can exceed requests by up to a few connections.
    print(f"traced_requests: {traced_requests}")
    print(f"breadcrumbs_written: {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
