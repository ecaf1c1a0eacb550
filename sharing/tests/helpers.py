"""Reading what really arrived in SQS and SES (moto server over HTTP)."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection

from sharing.mailbox import MailboxEmail, fetch_ses_data, parse_raw


def peek_bodies(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """The JSON bodies of the messages on the queue, left visible (counts as one receive)."""
    response = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0
    )
    return [json.loads(message["Body"]) for message in response.get("Messages", [])]


def queue_depth(sqs: Any, queue_url: str) -> int:
    """Visible plus in-flight messages."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def raw_emails(endpoint_url: str, *, containing: str) -> list[str]:
    """The raw text of every email moto's SES recorded that contains `containing`."""
    ses = fetch_ses_data(endpoint_url)
    return [
        item["raw_data"] for item in ses.get("RawMessage", []) if containing in item["raw_data"]
    ]


def sent_emails(endpoint_url: str, *, containing: str) -> list[MailboxEmail]:
    ses = fetch_ses_data(endpoint_url)
    return [parse_raw(item) for item in ses.get("RawMessage", []) if containing in item["raw_data"]]


def subprocess_database_url() -> str:
    """The URL of the test database, for worker subprocesses (needs transactional tests)."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def invitation_emails(endpoint_url: str, request: Any) -> list[MailboxEmail]:
    """The invitation emails moto's SES recorded for this request (by its confirm link)."""
    path = f"/todo/{request.todo_id}/collaborations/{request.collaborator_id}/confirm"
    return sent_emails(endpoint_url, containing=path)
