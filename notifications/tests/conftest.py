"""Push fixtures: a real ActiveMQ, app servers (uvicorn child processes on the test
database) and helpers to act as a logged-in user over HTTP and WebSocket."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from django.db import connection
from django.test import Client
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect
from websockets.typing import Origin

from accounts.models import User
from deploy.local.app_server import AppServer
from deploy.local.aws_resources import SharingQueues
from deploy.local.moto_server import MotoServer
from notifications.broker import (
    ALL_TOPICS,
    BATCH_TOPIC,
    BrokerSettings,
    ConnectionState,
    open_connection,
    topic_for,
)


def test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def app_server_env(broker_url: str, **extra: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "todo_project.test_settings",
        "DATABASE_URL": test_database_url(),
        "ACTIVEMQ_URL": broker_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@contextmanager
def open_socket(server: AppServer, cookie: str | None) -> Iterator[ClientConnection]:
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    with ws_connect(
        f"{server.ws_url}/ws/notifications/",
        additional_headers=headers,
        origin=Origin(server.url),
        open_timeout=10,
    ) as socket:
        yield socket


def next_event(socket: ClientConnection, timeout_s: float = 10) -> dict[str, Any]:
    return json.loads(socket.recv(timeout=timeout_s))  # type: ignore[no-any-return]


class Browserless:
    """A logged-in user driving an app server over HTTP, CSRF token and all."""

    def __init__(self, server: AppServer, user: User) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.cookies.set("sessionid", session_cookie(user))

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.server.url}{path}", timeout=15)

    def post(self, path: str, data: dict[str, str]) -> requests.Response:
        if "csrftoken" not in self.http.cookies:
            self.get("/dashboard")
        form = {**data, "csrfmiddlewaretoken": self.http.cookies["csrftoken"]}
        return self.http.post(f"{self.server.url}{path}", data=form, timeout=15)

    def edit_todo(self, todo: Any, **changes: str) -> requests.Response:
        fields = {
            "title": todo.title,
            "description": todo.description,
            "priority": todo.priority,
            "due_date": todo.due_date.isoformat(),
            "version": str(type(todo).objects.get(pk=todo.pk).version),
            **changes,
        }
        return self.post(f"/todo/update/{todo.pk}", fields)


class StompTap:
    """A bare STOMP subscriber to every user's topic: what actually went through the broker."""

    def __init__(self, broker_url: str) -> None:
        self.messages: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        # Each broker message as it came (destination, decoded body), batches not unpacked.
        self.frames: list[tuple[str, Any]] = []
        state = ConnectionState(on_message=self._on_message)
        self.connection = open_connection(BrokerSettings(broker_url), state)
        subscribed = state.receipts["tap"] = threading.Event()
        self.connection.subscribe(ALL_TOPICS, id="tap", headers={"receipt": "tap"})
        if not subscribed.wait(10):
            raise RuntimeError("the broker did not confirm the subscription")

    def _on_message(self, frame: Any) -> None:
        # An exception here would end stomp.py's receiver thread: keep junk as it came.
        # A batch is unpacked into the users' topics it stands for.
        try:
            body = json.loads(frame.body)
        except ValueError:
            body = frame.body
        self.frames.append((frame.headers["destination"], body))
        if frame.headers["destination"] == BATCH_TOPIC and isinstance(body, list):
            for user_id, event in body:
                self.messages.put((topic_for(user_id), event))
        else:
            self.messages.put((frame.headers["destination"], body))

    def send(self, destination: str, body: str) -> None:
        self.connection.send(destination, body)

    def close(self) -> None:
        self.connection.disconnect()


def wait_until_relaying(server: AppServer, broker_url: str, user: User) -> None:
    """Send probes straight to the broker until the server's relay hands one to the user's
    socket: the relay subscribes on its own thread after the server has started."""
    tap = StompTap(broker_url)
    try:
        with open_socket(server, session_cookie(user)) as socket:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                probe = uuid.uuid4().hex
                tap.send(topic_for(user.pk), json.dumps({"type": "probe", "text": probe}))
                try:
                    while True:
                        if next_event(socket, timeout_s=0.5).get("text") == probe:
                            return
                except TimeoutError:
                    continue
    finally:
        tap.close()
    raise RuntimeError(f"the push relay of {server.url} did not start within 30 s")


def start_relaying_server(broker_url: str, django_db_blocker: Any, **extra_env: str) -> AppServer:
    server = AppServer(app_server_env(broker_url, **extra_env)).start()
    try:
        with django_db_blocker.unblock():
            probe_user = User.objects.create_user(
                username=f"probe-{uuid.uuid4().hex[:8]}", email=f"{uuid.uuid4().hex}@example.com"
            )
            try:
                wait_until_relaying(server, broker_url, probe_user)
            finally:
                probe_user.delete()
    except BaseException:
        server.stop()
        raise
    return server


@contextmanager
def relaying_servers(
    broker_url: str, django_db_blocker: Any, **extra_env: str
) -> Iterator[tuple[AppServer, AppServer]]:
    servers: list[AppServer] = []
    try:
        for _ in range(2):
            servers.append(start_relaying_server(broker_url, django_db_blocker, **extra_env))
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def push_servers(
    django_db_setup: None, django_db_blocker: Any, activemq: str
) -> Iterator[tuple[AppServer, AppServer]]:
    """Two web processes on the test database, each relaying from the shared broker."""
    with relaying_servers(activemq, django_db_blocker) as servers:
        yield servers


@pytest.fixture
def sharing_push_servers(
    django_db_setup: None,
    django_db_blocker: Any,
    activemq: str,
    sharing_queues: SharingQueues,
    moto_server: MotoServer,
    settings: Any,
) -> Iterator[tuple[AppServer, AppServer]]:
    """Like `push_servers`, and sharing works on them: they send invitations to this test's
    SQS queue in moto server. (Per test, as the queue is.)"""
    with relaying_servers(
        activemq,
        django_db_blocker,
        AWS_ENDPOINT_URL=moto_server.url,
        AWS_REGION=settings.AWS_REGION,
        SHARING_QUEUE_NAME=settings.SHARING_QUEUE_NAME,
        SHARING_DLQ_NAME=settings.SHARING_DLQ_NAME,
    ) as servers:
        yield servers
