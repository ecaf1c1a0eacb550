"""Fixtures for the sharing tests. The per-test SQS queues (`sharing_queues`) and the SES
reader (`emails`) are in the root conftest: the push tests use them too."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from deploy.local.aws_resources import local_client
from deploy.local.moto_server import MotoServer
from sharing.tests.processes import WorkerProcess
from sharing.tests.proxy import TcpProxy
from todos.models import Todo


@pytest.fixture
def sqs(moto_server: MotoServer, settings: Any) -> Any:
    return local_client("sqs", moto_server.url, settings.AWS_REGION)


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


@pytest.fixture
def moto_proxy(moto_server: MotoServer) -> Iterator[TcpProxy]:
    """A TCP proxy in front of moto server that a test can make refuse or hang."""
    proxy = TcpProxy.for_url(moto_server.url).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def start_worker():
    started: list[WorkerProcess] = []

    def start(*args: str, **env: str) -> WorkerProcess:
        started.append(WorkerProcess(*args, **env))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()
