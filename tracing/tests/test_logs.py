"""Structured logs: one JSON object a line, with the request's id and user, and EMF metrics."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from conftest import tomorrow
from todo_project.aws import aws_client
from todos.models import Todo

ROOT = Path(__file__).resolve().parents[2]
TRACE_ROOT = "1-67891233-abcdef012345678912345678"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the settings' console handler writes, for the duration of a test."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    lines = [line for line in stream.getvalue().splitlines() if line]
    assert lines
    return [json.loads(line) for line in lines]  # every line is one JSON object


@pytest.mark.django_db
def test_a_requests_log_lines_carry_its_id_and_user_and_the_todos_created_metric(alice, log_lines):
    client = Client()
    client.force_login(alice)
    response = client.post(
        "/todo/add",
        {"title": "Logged", "priority": "HIGH", "due_date": tomorrow().isoformat()},
        headers={"X-Amzn-Trace-Id": f"Self=1-00000000-000000000000000000000000;Root={TRACE_ROOT}"},
    )
    assert response.status_code == 302
    assert response["X-Request-Id"] == TRACE_ROOT
    todo = Todo.objects.get(title="Logged")

    records = parsed(log_lines)
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys(), record
    emf = next(record for record in records if "TodosCreated" in record)
    assert emf["TodosCreated"] == 1
    assert emf["_aws"]["CloudWatchMetrics"] == [
        {
            "Namespace": "StratosphericTodo",
            "Dimensions": [[]],
            "Metrics": [{"Name": "TodosCreated", "Unit": "Count"}],
        }
    ]
    assert isinstance(emf["_aws"]["Timestamp"], int)
    assert emf["request_id"] == TRACE_ROOT
    assert emf["user_id"] == alice.pk

    finished = next(record for record in records if record["logger"] == "tracing.request")
    assert finished["message"] == "POST /todo/add 302"
    assert finished["request_id"] == TRACE_ROOT
    assert finished["user_id"] == alice.pk
    assert finished["todo_id"] == todo.pk
    assert finished["View"] == "todos:add"
    assert finished["RequestLatency"] >= 0
    assert finished["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [
        {"Name": "RequestLatency", "Unit": "Milliseconds"}
    ]
    assert finished["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["View"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "trace_header", [None, "Root=1-xyz", 'Root=1-67891233-abcdef012345678912345678"\n{"x":1}']
)
def test_without_a_well_formed_trace_header_a_request_id_is_made_up(trace_header, log_lines):
    headers = {"X-Amzn-Trace-Id": trace_header} if trace_header else {}
    response = Client().get("/", headers=headers)
    request_id = response["X-Request-Id"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    finished = next(r for r in parsed(log_lines) if r["logger"] == "tracing.request")
    assert finished["request_id"] == request_id
    assert "user_id" not in finished


def test_a_management_command_logs_json_lines_to_stdout(moto_server):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_project.test_settings",
        "AWS_ENDPOINT_URL": moto_server.url,
        "AWS_REGION": settings.AWS_REGION,
        "TRACING_TABLE_NAME": "created-by-command",
    }
    outputs = []
    for _ in range(2):
        command = subprocess.run(
            [sys.executable, "manage.py", "create_tracing_table"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert command.returncode == 0, command.stderr
        outputs.append(command.stdout)
    messages = []
    for output in outputs:
        records = [json.loads(line) for line in output.splitlines()]
        assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
        messages += [r["message"] for r in records if r["logger"].startswith("tracing.")]
    assert messages == [
        "breadcrumb table created-by-command created",
        "breadcrumb table created-by-command already exists",
    ]
    dynamodb = aws_client("dynamodb")
    table = dynamodb.describe_table(TableName="created-by-command")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    ttl = dynamodb.describe_time_to_live(TableName="created-by-command")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
