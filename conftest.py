"""Fixtures shared by every app's tests: users, and the local cloud over real HTTP.

The local cloud is moto in server mode plus the Cognito hosted-UI stand-in, started once per
session. Django's settings are pointed at them for the whole session.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from deploy.local import activemq as local_activemq
from deploy.local.aws_resources import (
    CognitoPool,
    SharingQueues,
    create_cognito_pool,
    create_sharing_queues,
    seed_users,
    verify_email_sender,
)
from deploy.local.cognito_standin import StandinServer, create_app
from deploy.local.moto_server import MotoServer, free_port
from notifications.tests.helpers import Inbox
from sharing.mailbox import MailboxEmail
from sharing.services import publish_outbox
from sharing.tests.helpers import sent_emails
from sharing.worker import SharingWorker
from tests.sharing_support import share_with
from todos.models import Todo
from tracing import dynamo

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
REGION = "eu-central-1"


@pytest.fixture(scope="session", autouse=True)
def _test_database_can_be_dropped(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Threads that served requests (live servers, in-process workers) may still hold a
    connection when the suite ends, and PostgreSQL will not drop a database in use."""
    yield
    # pytest-django creates the test database only when a collected test needs it.
    test_database_made = connection.settings_dict["NAME"].startswith("test_")
    if connection.vendor != "postgresql" or not test_database_made:
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer().start()
    previous = settings.AWS_ENDPOINT_URL, settings.AWS_REGION
    settings.AWS_ENDPOINT_URL, settings.AWS_REGION = server.url, REGION
    yield server
    settings.AWS_ENDPOINT_URL, settings.AWS_REGION = previous
    server.stop()


@pytest.fixture(scope="session")
def activemq() -> Iterator[str]:
    """The shared local broker's STOMP URL; started here (and stopped after) if `make test`'s
    set-up has not started it. If it cannot start, every test using it errors."""
    shared = local_activemq.shared()
    if shared.is_running():
        yield shared.url
        return
    broker = local_activemq.ActiveMQ().start()
    yield broker.url
    broker.stop()


@pytest.fixture
def own_broker() -> Iterator[local_activemq.ActiveMQ]:
    """A broker of the test's own (free ports), so that stopping it disturbs nobody else."""
    broker = local_activemq.ActiveMQ(stomp_port=free_port(), openwire_port=free_port()).start()
    yield broker
    broker.stop()


@pytest.fixture
def push_inbox() -> Iterator[Callable[[User], Inbox]]:
    """push_inbox(user): an Inbox (notifications/tests/helpers.py) that hears what is pushed to
    the user in this process without a broker, as their socket would."""
    inboxes: list[Inbox] = []

    def make(user: User) -> Inbox:
        inboxes.append(Inbox(user.pk))
        return inboxes[-1]

    yield make
    for inbox in inboxes:
        inbox.close()


@dataclass
class LocalCognito:
    pool: CognitoPool
    standin_url: str
    endpoint_url: str


@pytest.fixture(scope="session")
def cognito(django_db_setup, moto_server: MotoServer, live_server) -> Iterator[LocalCognito]:
    """A user pool with the seed users, the hosted-UI stand-in, and settings pointing at both
    with the live server as the app's external URL."""
    pool = create_cognito_pool(
        moto_server.url,
        REGION,
        callback_urls=[f"{live_server.url}/accounts/amazon-cognito/login/callback/"],
        logout_urls=[f"{live_server.url}/"],
    )
    seed_users(moto_server.url, REGION, pool)
    standin = StandinServer(
        create_app(endpoint_url=moto_server.url, region=REGION, user_pool_id=pool.user_pool_id)
    ).start()
    settings.EXTERNAL_URL = live_server.url
    settings.COGNITO_DOMAIN = standin.url
    settings.COGNITO_CLIENT_ID = pool.client_id
    settings.COGNITO_CLIENT_SECRET = pool.client_secret
    settings.COGNITO_USER_POOL_ID = pool.user_pool_id
    settings.SOCIALACCOUNT_PROVIDERS["amazon_cognito"].update(
        DOMAIN=standin.url, APP={"client_id": pool.client_id, "secret": pool.client_secret}
    )
    yield LocalCognito(pool=pool, standin_url=standin.url, endpoint_url=moto_server.url)
    standin.stop()


@pytest.fixture
def breadcrumb_table(moto_server: MotoServer, settings: Any) -> Iterator[str]:
    """A new table per test (so users of the same name in other tests leave nothing here).

    Settings change through pytest-django's `settings` fixture, the one that the tests
    themselves use, so that everything is restored in one place and nothing leaks."""
    table_name = f"breadcrumbs-{uuid.uuid4().hex[:12]}"
    settings.TRACING_TABLE_NAME = table_name
    dynamo.create_table(table_name)
    settings.TRACING_ENABLED = True
    yield table_name
    assert dynamo.flush(timeout=30), "breadcrumbs still unwritten after the test"


@pytest.fixture
def sharing_queues(moto_server: MotoServer, settings: Any) -> SharingQueues:
    """A queue and DLQ of their own for each test. A 1 s visibility timeout makes
    redeliveries (and the trip to the DLQ) quick."""
    name = f"sharing-{uuid.uuid4().hex[:12]}"
    queues = create_sharing_queues(
        moto_server.url,
        settings.AWS_REGION,
        queue_name=name,
        dlq_name=f"{name}-dlq",
        visibility_timeout_s=1,
    )
    settings.SHARING_QUEUE_NAME = name
    settings.SHARING_DLQ_NAME = f"{name}-dlq"
    verify_email_sender(moto_server.url, settings.AWS_REGION, settings.DEFAULT_FROM_EMAIL)
    # pytest-django swaps in the in-memory email backend; these tests want the real SES trip.
    settings.EMAIL_BACKEND = "todo_project.ses_backend.SESEmailBackend"
    return queues


@pytest.fixture
def emails(moto_server: MotoServer) -> Callable[[str], list[MailboxEmail]]:
    """emails(text): what moto's SES recorded, the emails whose raw text contains `text`."""
    return lambda containing: sent_emails(moto_server.url, containing=containing)


def run_sharing_worker_until_it_emails(max_batches: int = 10) -> None:
    """Publish the outbox and run the sharing worker in this process, batch by batch, until
    one batch sends email."""
    worker = SharingWorker(wait_time_s=1)
    try:
        for _ in range(max_batches):
            publish_outbox()
            if worker.process_batch().emailed:
                return
    finally:
        worker.close()


def make_user(username: str) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.com", display_name=username.capitalize()
    )


@pytest.fixture
def alice(db) -> User:
    return make_user("alice")


@pytest.fixture
def bob(db) -> User:
    return make_user("bob")


@pytest.fixture
def charlie(db) -> User:
    return make_user("charlie")


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def todo(alice: User, bob: User) -> Todo:
    """Alice's todo, shared with Bob. Charlie is a stranger to it."""
    todo = Todo.objects.create(
        owner=alice, title="Write the book", description="Chapter 1", due_date=tomorrow()
    )
    share_with(todo, bob)
    return todo
