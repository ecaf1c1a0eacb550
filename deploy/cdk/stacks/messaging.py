"""The SQS queue of collaboration requests and its dead-letter queue."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .config import DeployConfig

MAX_RECEIVE_COUNT = 3


class MessagingStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.dead_letter_queue = sqs.Queue(
            self,
            "SharingDeadLetterQueue",
            queue_name=config.name("sharing-dlq"),
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queue = sqs.Queue(
            self,
            "SharingQueue",
            queue_name=config.name("sharing"),
            # Longer than the worker needs for a batch of 10 emails; a message it fails on
            # comes back after this and goes to the DLQ after its third receive.
            visibility_timeout=Duration.seconds(120),
            receive_message_wait_time=Duration.seconds(20),
            retention_period=Duration.days(4),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVE_COUNT
            ),
        )
