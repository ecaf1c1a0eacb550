"""Fixtures for the sharing tests: a fresh SQS queue + DLQ per test in moto server, a
verified SES sender, and helpers that read what really arrived in SQS and SES."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from deploy.local.aws_resources import (
    SharingQueues,
    create_sharing_queues,
    local_client,
    verify_email_sender,
)
from deploy.local.moto_server import MotoServer
from sharing.mailbox import MailboxEmail
from sharing.tests.helpers import sent_emails
from todos.models import Todo


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
def sqs(moto_server: MotoServer, settings: Any) -> Any:
    return local_client("sqs", moto_server.url, settings.AWS_REGION)


@pytest.fixture
def emails(moto_server: MotoServer) -> Callable[[str], list[MailboxEmail]]:
    """emails(text): what moto's SES recorded, the emails whose raw text contains `text`."""
    return lambda containing: sent_emails(moto_server.url, containing=containing)


@pytest.fixture
def own_todo(alice: Any) -> Todo:
    """Alice's todo, shared with nobody yet."""
    return Todo.objects.create(
        owner=alice,
        title="Plan the launch",
        description="Rocket & <b>cake</b>",
        priority="HIGH",
        due_date=timezone.localdate() + datetime.timedelta(days=1),
    )
