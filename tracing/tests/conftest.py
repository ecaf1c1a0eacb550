"""Reading the breadcrumbs of the table that `breadcrumb_table` (the root conftest) makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from todo_project.aws import aws_client
from tracing import dynamo

Breadcrumbs = Callable[[str], list[dict[str, Any]]]


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
