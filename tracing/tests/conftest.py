"""Breadcrumbs switched on against a fresh table in moto server, for one test at a time."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from deploy.local.moto_server import MotoServer
from todo_project.aws import aws_client
from tracing import dynamo

Breadcrumbs = Callable[[str], list[dict[str, Any]]]


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
def breadcrumbs(breadcrumb_table: str) -> Breadcrumbs:
    """All breadcrumbs of a username, oldest first, once everything buffered is written."""

    def read(username: str) -> list[dict[str, Any]]:
        assert dynamo.flush(timeout=30), "breadcrumbs not written within 30 s"
        response = aws_client("dynamodb").query(
            TableName=breadcrumb_table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"USER#{username}"}},
        )
        return [dynamo.deserialize(item) for item in response["Items"]]

    return read


@pytest.fixture
def every_breadcrumb(breadcrumb_table: str) -> Callable[[], list[dict[str, Any]]]:
    """Everything in the table (a Scan: fine for a test's small table, never in the app)."""

    def read() -> list[dict[str, Any]]:
        assert dynamo.flush(timeout=30), "breadcrumbs not written within 30 s"
        response = aws_client("dynamodb").scan(TableName=breadcrumb_table)
        return [dynamo.deserialize(item) for item in response["Items"]]

    return read
