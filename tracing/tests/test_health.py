"""/health/ready: 200 when database, queue, broker and table answer; 503 naming what fails."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deploy.local.moto_server import free_port
from todo_project.aws import aws_client
from tracing.health import broker_addresses

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything_configured(settings, breadcrumb_table, moto_server, activemq):
    queue_name = f"ready-{breadcrumb_table}"
    aws_client("sqs").create_queue(QueueName=queue_name)
    settings.SHARING_QUEUE_NAME = queue_name
    settings.ACTIVEMQ_URL = activemq
    return settings


def ready() -> tuple[int, dict[str, Any]]:
    response = Client().get("/health/ready")
    return response.status_code, response.json()


def logged_reasons(caplog) -> str:
    return " ".join(r.getMessage() for r in caplog.records if r.name == "tracing.views")


def test_it_answers_200_when_everything_answers(everything_configured):
    status, body = ready()
    assert (status, body["status"], body["failed"]) == (200, "ok", [])
    assert body["checks"] == {"database": "ok", "queue": "ok", "broker": "ok", "table": "ok"}


def test_what_is_not_configured_is_skipped(settings, db):
    settings.TRACING_ENABLED = False
    settings.ACTIVEMQ_URL = ""
    settings.SHARING_QUEUE_NAME = ""
    status, body = ready()
    assert status == 200
    assert body["checks"] == {
        "database": "ok",
        "queue": "skipped",
        "broker": "skipped",
        "table": "skipped",
    }


def test_a_missing_table_is_named(everything_configured, caplog):
    everything_configured.TRACING_TABLE_NAME = "no-such-table"
    status, body = ready()
    assert (status, body["status"], body["failed"]) == (503, "failing", ["table"])
    assert body["checks"]["table"] == "failed"
    assert "ResourceNotFoundException" in logged_reasons(caplog)


def test_a_missing_queue_is_named(everything_configured):
    everything_configured.SHARING_QUEUE_NAME = "no-such-queue"
    status, body = ready()
    assert (status, body["failed"]) == (503, ["queue"])


def test_a_broker_that_does_not_answer_is_named(everything_configured, caplog):
    everything_configured.ACTIVEMQ_URL = f"stomp://127.0.0.1:{free_port()}"
    status, body = ready()
    assert (status, body["failed"]) == (503, ["broker"])
    assert "refused" in logged_reasons(caplog).lower()


def test_a_failover_url_is_ready_when_one_broker_answers(everything_configured, activemq):
    everything_configured.ACTIVEMQ_URL = (
        f"failover:(stomp://127.0.0.1:{free_port()},{activemq})?randomize=false"
    )
    assert ready()[0] == 200


def test_unreachable_aws_fails_queue_and_table(everything_configured):
    everything_configured.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    status, body = ready()
    assert (status, body["failed"]) == (503, ["queue", "table"])


def test_it_is_exempt_from_the_https_redirect(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRACING_ENABLED = False
    settings.SHARING_QUEUE_NAME = ""  # only the database is checked
    assert Client().get("/dashboard").status_code == 301
    assert Client().get("/health/ready").status_code == 200


def test_broker_urls_are_read_like_the_relay_reads_them():
    assert broker_addresses("stomp+ssl://b-1.mq.aws:61614") == [("stomp+ssl", "b-1.mq.aws", 61614)]
    assert broker_addresses("failover:(stomp+ssl://a:61614,stomp+ssl://b:61614)") == [
        ("stomp+ssl", "a", 61614),
        ("stomp+ssl", "b", 61614),
    ]
    with pytest.raises(ValueError, match="not a STOMP broker URL"):
        broker_addresses("http://example.com")


def test_a_malformed_broker_url_fails_the_check_with_a_reason(everything_configured, caplog):
    everything_configured.ACTIVEMQ_URL = "nonsense"
    status, body = ready()
    assert (status, body["failed"]) == (503, ["broker"])
    assert "not a STOMP broker URL" in logged_reasons(caplog)


def test_health_ready_shows_names_and_ok_or_failed_only(everything_configured, caplog):
    """Finding 9: the text of a failing dependency's exception reached anyone who asked."""
    everything_configured.TRACING_TABLE_NAME = "no-such-table"
    everything_configured.ACTIVEMQ_URL = f"stomp://127.0.0.1:{free_port()}"
    response = Client().get("/health/ready")
    assert response.json()["checks"] == {
        "database": "ok",
        "queue": "ok",
        "broker": "failed",
        "table": "failed",
    }
    text = response.content.decode()
    assert "ResourceNotFound" not in text and "refused" not in text.lower()
    assert "no-such-table" not in text and "127.0.0.1" not in text
