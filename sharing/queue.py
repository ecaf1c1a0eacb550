"""The sharing queue in SQS: what a message says, and sending and receiving it.

A message is versioned JSON so that a worker of one release can tell a message of another
release from garbage: {"version": 2, "request_id", "token"}. Version 1 (an invitation of a
user to a todo, before lists and invitations by address) also named "todo_id" and
"collaborator_id"; the worker still reads it, to finish what an older release published.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from pydantic import BaseModel, ConfigDict, ValidationError

from sharing.models import CollaborationRequest
from todo_project.aws import aws_client

logger = logging.getLogger(__name__)

SQS_BATCH_LIMIT = 10


class QueueUnavailable(Exception):
    """SQS could not be reached or refused the call; the caller retries later."""


class MalformedMessage(Exception):
    """A message body that is not a sharing message of a version we understand."""


class SharingMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1, 2]
    request_id: int
    token: str
    todo_id: int | None = None  # version 1 only
    collaborator_id: int | None = None  # version 1 only

    @classmethod
    def for_request(cls, request: CollaborationRequest, token: str) -> SharingMessage:
        """The message for `request` carrying its clear `token` (the row keeps the hash)."""
        return cls(version=2, request_id=request.pk, token=token)

    @classmethod
    def parse(cls, body: str) -> SharingMessage:
        try:
            return cls.model_validate_json(body, strict=True)
        except ValidationError as error:
            raise MalformedMessage(str(error)) from error


def queue_url() -> str:
    """The URL of the sharing queue, looked up once per queue name and endpoint."""
    return _queue_url(settings.SHARING_QUEUE_NAME, _sqs_endpoint(), settings.AWS_REGION)


def dead_letter_queue_url() -> str:
    return _queue_url(settings.SHARING_DLQ_NAME, _sqs_endpoint(), settings.AWS_REGION)


def _sqs_endpoint() -> str | None:
    return settings.AWS_SERVICE_ENDPOINT_URLS.get("sqs") or settings.AWS_ENDPOINT_URL


@lru_cache(maxsize=8)
def _queue_url(name: str, endpoint_url: str | None, region: str) -> str:
    # endpoint_url and region are part of the cache key only.
    try:
        return str(aws_client("sqs", caller="worker").get_queue_url(QueueName=name)["QueueUrl"])
    except (BotoCoreError, ClientError) as error:
        raise QueueUnavailable(f"cannot find queue {name}: {error}") from error


def publish_messages(messages: Sequence[SharingMessage]) -> list[int]:
    """Send the messages in batches of ten; returns the request ids SQS accepted. Raises
    QueueUnavailable only if SQS could not be reached for the first batch."""
    accepted: list[int] = []
    url = queue_url()
    for start in range(0, len(messages), SQS_BATCH_LIMIT):
        chunk = messages[start : start + SQS_BATCH_LIMIT]
        try:
            response = aws_client("sqs", caller="worker").send_message_batch(
                QueueUrl=url,
                Entries=[
                    {
                        "Id": str(message.request_id),
                        "MessageBody": message.model_dump_json(exclude_none=True),
                    }
                    for message in chunk
                ],
            )
        except (BotoCoreError, ClientError) as error:
            if not accepted:
                raise QueueUnavailable(str(error)) from error
            logger.warning("SQS unreachable after %d message(s): %s", len(accepted), error)
            break
        for failure in response.get("Failed", []):
            logger.warning("SQS refused the message of request %s: %s", failure["Id"], failure)
        accepted.extend(int(entry["Id"]) for entry in response.get("Successful", []))
    return accepted


def receive_messages(
    *, max_messages: int, wait_time_s: int, url: str | None = None
) -> list[dict[str, Any]]:
    try:
        response = aws_client("sqs", caller="long_poll").receive_message(
            QueueUrl=url or queue_url(),
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=wait_time_s,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
    except (BotoCoreError, ClientError) as error:
        raise QueueUnavailable(str(error)) from error
    return list(response.get("Messages", []))


def delete_messages(receipt_handles: Iterable[str], *, url: str | None = None) -> None:
    """Delete in batches of ten; a failed delete only means a redelivery, which is harmless."""
    handles = list(receipt_handles)
    for start in range(0, len(handles), SQS_BATCH_LIMIT):
        chunk = handles[start : start + SQS_BATCH_LIMIT]
        try:
            response = aws_client("sqs", caller="worker").delete_message_batch(
                QueueUrl=url or queue_url(),
                Entries=[{"Id": str(index), "ReceiptHandle": h} for index, h in enumerate(chunk)],
            )
        except (BotoCoreError, ClientError) as error:
            raise QueueUnavailable(str(error)) from error
        for failure in response.get("Failed", []):
            logger.warning("SQS did not delete a message: %s", failure)


def postpone_message(receipt_handle: str, delay_s: int) -> None:
    """Make a received message visible again after `delay_s` (0-43200) instead of after the
    queue's visibility timeout. A failure only means the usual timeout applies."""
    try:
        aws_client("sqs", caller="worker").change_message_visibility(
            QueueUrl=queue_url(), ReceiptHandle=receipt_handle, VisibilityTimeout=delay_s
        )
    except (BotoCoreError, ClientError) as error:
        logger.warning("could not postpone a sharing message: %s", error)


def redrive_dead_letters(*, max_messages: int | None = None) -> int:
    """Move messages from the dead-letter queue back to the sharing queue; returns how many.

    SQS's StartMessageMoveTask would do this server-side, but moto (our local AWS and the
    tests') does not implement it, so: receive, send, and delete only what the send took.
    A crash between send and delete leaves a copy in both queues, which the worker's claim
    makes harmless."""
    source, target = dead_letter_queue_url(), queue_url()
    sqs = aws_client("sqs", caller="worker")
    moved = 0
    while max_messages is None or moved < max_messages:
        batch = SQS_BATCH_LIMIT if max_messages is None else min(10, max_messages - moved)
        messages = receive_messages(max_messages=batch, wait_time_s=1, url=source)
        if not messages:
            break
        try:
            response = sqs.send_message_batch(
                QueueUrl=target,
                Entries=[
                    {"Id": str(index), "MessageBody": message["Body"]}
                    for index, message in enumerate(messages)
                ],
            )
        except (BotoCoreError, ClientError) as error:
            raise QueueUnavailable(str(error)) from error
        sent = {int(entry["Id"]) for entry in response.get("Successful", [])}
        delete_messages([messages[index]["ReceiptHandle"] for index in sorted(sent)], url=source)
        moved += len(sent)
        if len(sent) < len(messages):
            logger.warning(
                "SQS refused %d message(s); they stay in the DLQ", len(messages) - len(sent)
            )
            break
    logger.info("moved %d sharing message(s) from the dead-letter queue back", moved)
    return moved
