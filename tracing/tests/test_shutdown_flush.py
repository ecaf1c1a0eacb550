"""Shutdown keeps what it holds: SIGTERM to the production web command (`deploy/entrypoint.sh
web`, one worker and two) writes every buffered breadcrumb to DynamoDB, then exits 0.

The breadcrumbs are held in the process for sure: DynamoDB (moto server) is reached through a
forwarder that holds every connection, so the writer's first call hangs and the rest wait in
the buffer. The forwarder lets them through only once the process says, after SIGTERM, that
it is writing its buffer."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import uuid

import pytest
import requests

from deploy.local.aws_resources import local_client
from deploy.local.moto_server import MotoServer, free_port
from deploy.tests.test_entrypoint import (  # noqa: F401 - fixtures, used by name
    ENTRYPOINT,
    START_TIMEOUT_S,
    STOP_TIMEOUT_S,
    container_environment,
    database_pieces,
    migrated_database,
    run_entrypoint,
    wait_for_health,
)
from tracing.tests.tcp import HoldingForwarder

REGION = "eu-central-1"
BREADCRUMBS = 20

SIGN_IN_SCRIPT = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import User
user = User.objects.create_user(username="{username}", email="{username}@example.com")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(settings.SESSION_COOKIE_NAME, session.session_key)
"""


class Output:
    """A child's stdout, read on a thread (so that the pipe never fills), line by line."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        assert process.stdout is not None
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            with self._changed:
                self.lines.append(raw.decode(errors="replace"))
                self._changed.notify_all()

    def wait_for(self, text: str, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: any(text in line for line in self.lines), timeout)

    def text(self) -> str:
        return "".join(self.lines)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Collected as the image build does: pages need the manifest with DEBUG off."""
    root = tmp_path_factory.mktemp("static")
    result = run_entrypoint(
        "manage",
        "collectstatic",
        "--no-input",
        env=container_environment(STATIC_ROOT=str(root)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return str(root)


@pytest.fixture
def table(moto_server: MotoServer) -> str:
    name = f"shutdown-{uuid.uuid4().hex[:12]}"
    dynamodb = local_client("dynamodb", moto_server.url, REGION)
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def stored(moto_server: MotoServer, table: str, username: str) -> int:
    dynamodb = local_client("dynamodb", moto_server.url, REGION)
    return int(
        dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"USER#{username}"}},
            Select="COUNT",
        )["Count"]
    )


@pytest.mark.parametrize("web_concurrency", [1, 2])
def test_sigterm_writes_every_buffered_breadcrumb_and_exits_0(
    web_concurrency: int,
    migrated_database: dict[str, str],  # noqa: F811
    moto_server: MotoServer,
    table: str,
    static_root: str,
) -> None:
    username = f"leaving{web_concurrency}"
    signed_in = run_entrypoint(
        "manage",
        "shell",
        "-c",
        SIGN_IN_SCRIPT.format(username=username),
        env=container_environment(**migrated_database),
    )
    assert signed_in.returncode == 0, signed_in.stderr
    cookie_name, session_key = signed_in.stdout.split()[-2:]

    port = free_port()
    with HoldingForwarder(moto_server.port) as dynamodb:
        web = subprocess.Popen(
            [str(ENTRYPOINT), "web"],
            env=container_environment(
                HOST="127.0.0.1",
                PORT=str(port),
                WEB_CONCURRENCY=str(web_concurrency),
                SECURE_SSL_REDIRECT="false",
                SECURE_COOKIES="false",
                AWS_ENDPOINT_URL=dynamodb.url,
                AWS_REGION=REGION,
                AWS_ACCESS_KEY_ID="local",
                AWS_SECRET_ACCESS_KEY="local",
                TRACING_TABLE_NAME=table,
                STATIC_ROOT=static_root,
                TRACING_SHUTDOWN_FLUSH_SECONDS="20",  # generous on a busy machine
                **migrated_database,
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        output = Output(web)
        try:
            wait_for_health(f"http://127.0.0.1:{port}/health", web)
            for _ in range(BREADCRUMBS):
                # A new connection each: with two workers, both get some.
                response = requests.get(
                    f"http://127.0.0.1:{port}/dashboard",
                    cookies={cookie_name: session_key},
                    headers={"Connection": "close"},
                    allow_redirects=False,
                    timeout=10,
                )
                assert response.status_code == 200, output.text()[-3000:]
            assert stored(moto_server, table, username) == 0  # all of them still held
            web.send_signal(signal.SIGTERM)
            writing = output.wait_for("shutdown: writing", START_TIMEOUT_S)
            dynamodb.release()
            code = web.wait(timeout=STOP_TIMEOUT_S)
        finally:
            if web.poll() is None:
                web.kill()
                web.wait()
    assert writing, f"no flush at shutdown; the process said:\n{output.text()[-3000:]}"
    assert code == 0, output.text()[-3000:]
    assert stored(moto_server, table, username) == BREADCRUMBS
    unwritten = [line for line in output.lines if "unwritten" in line]
    assert not unwritten, unwritten
    for line in output.lines:  # the process logs JSON lines only, errors included
        if '"level": "error"' in line:
            raise AssertionError(json.loads(line))


def test_one_web_worker_exits_0_on_sigterm_with_nothing_buffered(
    database_pieces: dict[str, str],  # noqa: F811
) -> None:
    port = free_port()
    web = subprocess.Popen(
        [str(ENTRYPOINT), "web"],
        env=container_environment(
            HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1", **database_pieces
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}/health", web)
        web.send_signal(signal.SIGTERM)
        code = web.wait(timeout=STOP_TIMEOUT_S)
    finally:
        if web.poll() is None:
            web.kill()
            web.wait()
    assert code == 0, web.stderr.read().decode() if web.stderr else ""
