"""The background writer: batches, retries, a bounded buffer, recovery and the exit flush."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.conf import settings
from django.test import Client

from conftest import tomorrow
from deploy.local.moto_server import free_port
from todo_project.aws import aws_client
from todos.models import Todo
from tracing import dynamo
from tracing.breadcrumbs import breadcrumb_item

ROOT = Path(__file__).resolve().parents[2]


def crumb(username: str = "alice", number: int = 0) -> dict[str, Any]:
    return breadcrumb_item(
        username=username,
        action="view_dashboard",
        path=f"/n/{number}",
        method="GET",
        status=200,
        todo_id=number,
        request_id=None,
    )


def stored(table: str) -> list[dict[str, Any]]:
    items = aws_client("dynamodb").scan(TableName=table)["Items"]
    return [dynamo.deserialize(item) for item in items]


class RecordingClient:
    """moto's real client, with a record of each BatchWriteItem and optional first failures
    (DynamoDB's partial and throttled answers cannot be provoked in moto)."""

    def __init__(self, *, unprocessed_once: bool = False, throttle_times: int = 0) -> None:
        self.batch_sizes: list[int] = []
        self.unprocessed_once = unprocessed_once
        self.throttle_times = throttle_times

    def __call__(self) -> RecordingClient:
        return self

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        (table, requests), *_ = RequestItems.items()
        self.batch_sizes.append(len(requests))
        if self.throttle_times:
            self.throttle_times -= 1
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                "BatchWriteItem",
            )
        if self.unprocessed_once and len(requests) > 1:
            self.unprocessed_once = False
            half = len(requests) // 2
            aws_client("dynamodb").batch_write_item(RequestItems={table: requests[:half]})
            return {"UnprocessedItems": {table: requests[half:]}}
        answer: dict[str, Any] = aws_client("dynamodb").batch_write_item(RequestItems=RequestItems)
        return answer


def test_it_writes_in_batches_of_at_most_25(breadcrumb_table):
    client = RecordingClient()
    writer = dynamo.BreadcrumbWriter(capacity=100, client=client, autostart=False)
    for number in range(60):
        assert writer.submit(crumb(number=number))
    writer.start()
    assert writer.flush(30)
    assert client.batch_sizes == [25, 25, 10]
    assert len(stored(breadcrumb_table)) == 60
    assert writer.written == 60


def test_unprocessed_items_are_sent_again(breadcrumb_table):
    client = RecordingClient(unprocessed_once=True)
    writer = dynamo.BreadcrumbWriter(capacity=100, client=client, autostart=False)
    for number in range(10):
        writer.submit(crumb(number=number))
    writer.start()
    assert writer.flush(30)
    assert client.batch_sizes == [10, 5]
    assert sorted(item["todo_id"] for item in stored(breadcrumb_table)) == list(range(10))


def test_throttled_batches_are_retried_with_backoff(breadcrumb_table):
    client = RecordingClient(throttle_times=3)
    writer = dynamo.BreadcrumbWriter(capacity=10, client=client, max_backoff_s=0.2)
    writer.submit(crumb())
    assert writer.flush(30)
    assert client.batch_sizes == [1, 1, 1, 1]
    assert len(stored(breadcrumb_table)) == 1


def test_a_batch_dynamodb_refuses_for_good_is_given_up(breadcrumb_table, caplog):
    writer = dynamo.BreadcrumbWriter(capacity=10, table_name=lambda: "no-such-table")
    writer.submit(crumb())
    assert writer.flush(30)
    assert writer.failed == 1
    assert "DynamoDB refused 1 breadcrumbs: ResourceNotFoundException" in caplog.text


def test_a_full_buffer_drops_counts_warns_and_emits_a_metric(breadcrumb_table, caplog):
    caplog.set_level(logging.INFO)
    writer = dynamo.BreadcrumbWriter(capacity=2, autostart=False)
    assert writer.submit(crumb(number=1))
    assert writer.submit(crumb(number=2))
    assert not writer.submit(crumb(number=3))
    assert writer.dropped == 1
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert warning.getMessage() == "breadcrumb buffer full: dropped 1 breadcrumbs"
    metric = next(r for r in caplog.records if r.name == "metrics")
    assert metric.BreadcrumbsDropped == 1
    assert metric._aws["CloudWatchMetrics"][0]["Metrics"] == [
        {"Name": "BreadcrumbsDropped", "Unit": "Count"}
    ]
    writer.start()
    assert writer.flush(30)
    assert sorted(item["todo_id"] for item in stored(breadcrumb_table)) == [1, 2]


@pytest.mark.django_db
def test_with_dynamodb_unreachable_actions_succeed_and_the_writer_catches_up_later(
    alice, breadcrumbs, moto_server
):
    dynamo.get_writer().max_backoff_s = 0.3
    client = Client()
    client.force_login(alice)
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    try:
        response = client.post(
            "/todo/add",
            {"title": "Offline", "priority": "LOW", "due_date": tomorrow().isoformat()},
        )
        assert response.status_code == 302
        assert client.get("/dashboard").status_code == 200
        assert Todo.objects.filter(owner=alice, title="Offline").exists()
        assert not dynamo.flush(timeout=1)  # held back, not lost
    finally:
        settings.AWS_ENDPOINT_URL = moto_server.url
    actions = sorted(item["action"] for item in breadcrumbs("alice"))
    assert actions == ["create_todo", "view_dashboard"]


def test_what_is_buffered_is_written_when_the_process_exits(breadcrumb_table, moto_server):
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from tracing.breadcrumbs import breadcrumb_item
        from tracing.dynamo import write_breadcrumb
        for number in range(40):
            write_breadcrumb(breadcrumb_item(username="exiting", action="logout", path="/",
                method="POST", status=302, todo_id=number, request_id=None))
        # no flush: the exit handler must write them
        """
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_project.test_settings",
        "AWS_ENDPOINT_URL": moto_server.url,
        "AWS_REGION": settings.AWS_REGION,
        "TRACING_ENABLED": "true",
        "TRACING_TABLE_NAME": breadcrumb_table,
    }
    subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, check=True, timeout=60
    )
    assert len([i for i in stored(breadcrumb_table) if i["pk"] == "USER#exiting"]) == 40
