"""The sharing queue in SQS: what a message says, and sending and receiving it.

A message is versioned JSON so that a worker of one release can tell a message of another
release from garbage: {"version": 1, "request_id", "todo_id", "collaborator_id", "token"}.
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

    version: Literal[1]
    request_id: int
    todo_id: int
    collaborator_id: int
    token: str

    @classmethod
    def for_request(cls, request: CollaborationRequest) -> SharingMessage:
        return cls(
            version=1,
            request_id=request.pk,
            todo_id=request.todo_id,
            collaborator_id=request.collaborator_id,
            token=request.token,
        )

    @classmethod
    def parse(cls, body: str) -> SharingMessage:
        try:
            return cls.model_validate_json(body, strict=True)
        except ValidationError as error:
            raise MalformedMessage(str(error)) from error


def queue_url() -> str:
    """The URL of the sharing queue, looked up once per queue name and endpoint."""
    return _queue_url(settings.SHARING_QUEUE_NAME, settings.AWS_ENDPOINT_URL, settings.AWS_REGION)


@lru_cache(maxsize=8)
def _queue_url(name: str, endpoint_url: str | None, region: str) -> str:
    # endpoint_url and region are part of the cache key only.
    try:
        return str(aws_client("sqs").get_queue_url(QueueName=name)["QueueUrl"])
    except (BotoCoreError, ClientError) as error:
        raise QueueUnavailable(f"cannot find queue {name}: {error}") from error


def publish_requests(requests: Sequence[CollaborationRequest]) -> list[int]:
    """Send one message per request; returns the ids of the requests SQS accepted."""
    accepted: list[int] = []
    url = queue_url()
    for start in range(0, len(requests), SQS_BATCH_LIMIT):
        chunk = requests[start : start + SQS_BATCH_LIMIT]
        try:
            response = aws_client("sqs").send_message_batch(
                QueueUrl=url,
                Entries=[
                    {
                        "Id": str(request.pk),
                        "MessageBody": SharingMessage.for_request(request).model_dump_json(),
                    }
                    for request in chunk
                ],
            )
        except (BotoCoreError, ClientError) as error:
            raise QueueUnavailable(str(error)) from error
        for failure in response.get("Failed", []):
            logger.warning("SQS refused the message of request %s: %s", failure["Id"], failure)
        accepted.extend(int(entry["Id"]) for entry in response.get("Successful", []))
    return accepted


def receive_messages(*, max_messages: int, wait_time_s: int) -> list[dict[str, Any]]:
    try:
        response = aws_client("sqs").receive_message(
            QueueUrl=queue_url(),
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=wait_time_s,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
    except (BotoCoreError, ClientError) as error:
        raise QueueUnavailable(str(error)) from error
    return list(response.get("Messages", []))


def delete_messages(receipt_handles: Iterable[str]) -> None:
    """Delete in batches of ten; a failed delete only means a redelivery, which is harmless."""
    handles = list(receipt_handles)
    for start in range(0, len(handles), SQS_BATCH_LIMIT):
        chunk = handles[start : start + SQS_BATCH_LIMIT]
        try:
            response = aws_client("sqs").delete_message_batch(
                QueueUrl=queue_url(),
                Entries=[{"Id": str(index), "ReceiptHandle": h} for index, h in enumerate(chunk)],
            )
        except (BotoCoreError, ClientError) as error:
            raise QueueUnavailable(str(error)) from error
        for failure in response.get("Failed", []):
            logger.warning("SQS did not delete a message: %s", failure)
