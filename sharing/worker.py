"""The sharing worker's loop: SQS message in, invitation email out, message deleted.

Guarantees, with several workers running at once:
- one email per request: a worker claims a request (an atomic UPDATE on
  `emailed_at IS NULL` and no live claim) before sending, and records `emailed_at` right
  after; a redelivered message whose email went out is deleted without a second one;
- nothing is lost: a message is deleted only once its email is recorded; a failed send
  releases the claim and leaves the message for redelivery; a message that cannot be handled
  stays on the queue until the redrive policy moves it to the dead-letter queue;
- the outbox is drained each loop, so a share made while SQS was down still goes out.
"""

from __future__ import annotations

import datetime
import hmac
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from sharing import services
from sharing.mailer import EmailFailed, send_invitation
from sharing.models import CollaborationRequest
from sharing.queue import (
    MalformedMessage,
    SharingMessage,
    delete_messages,
    receive_messages,
)
from todo_project.aws import aws_client
from tracing.metrics import count

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send; another may take over.
# Shorter than two default visibility timeouts (2 x 30 s), so that the third receive of a
# message whose worker died finds the claim expired before the redrive policy gives up.
CLAIM_TIMEOUT = datetime.timedelta(seconds=45)


@dataclass
class BatchResult:
    received: int = 0
    emailed: int = 0
    redelivered: int = 0  # the email had gone out already; message deleted
    kept: int = 0  # left on the queue for redelivery or the dead-letter queue


def claim(request_id: int) -> bool:
    """True if this worker may send the request's email now (and nobody else may)."""
    now = timezone.now()
    return (
        CollaborationRequest.objects.filter(pk=request_id, emailed_at=None)
        .filter(Q(email_claimed_at=None) | Q(email_claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(email_claimed_at=now)
        == 1
    )


class SharingWorker:
    def __init__(
        self, *, wait_time_s: int = 20, max_messages: int = 10, email_threads: int | None = None
    ) -> None:
        self.wait_time_s = wait_time_s
        self.max_messages = max_messages
        self._pool = ThreadPoolExecutor(
            max_workers=email_threads or settings.SHARING_EMAIL_THREADS,
            thread_name_prefix="ses",
        )
        # Built once here rather than by each sending thread at its first email.
        aws_client("ses")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def run(
        self, stop: threading.Event, *, once: bool = False, max_idle: int | None = None
    ) -> None:
        """Process batches until `stop` is set (after the batch in hand), after one batch
        with `once`, or after `max_idle` empty polls in a row. Errors are logged and retried
        with backoff: the worker keeps going whatever SQS, SES or the database do."""
        backoff_s, idle = 0.0, 0
        while not stop.is_set():
            close_old_connections()
            try:
                result = self.process_batch()
            except Exception:
                backoff_s = min(30.0, max(1.0, backoff_s * 2))
                logger.exception("sharing worker loop failed; retrying in %.0fs", backoff_s)
                if once:
                    return
                stop.wait(backoff_s)
                continue
            backoff_s = 0.0
            idle = 0 if result.received else idle + 1
            if once or (max_idle is not None and idle >= max_idle):
                return

    def process_batch(self) -> BatchResult:
        try:
            services.queue_unsent_requests()
        except Exception:  # a database hiccup here must not stop the emails
            logger.exception("could not drain the sharing outbox")
        messages = receive_messages(max_messages=self.max_messages, wait_time_s=self.wait_time_s)
        result = BatchResult(received=len(messages))
        if not messages:
            return result
        logger.info("received %d sharing message(s)", len(messages))

        parsed: list[tuple[dict[str, Any], SharingMessage]] = []
        for message in messages:
            try:
                parsed.append((message, SharingMessage.parse(message["Body"])))
            except MalformedMessage as error:
                _leave_to_redrive(message, f"malformed: {error}")
        requests = CollaborationRequest.objects.select_related(
            "todo", "todo__owner", "collaborator"
        ).in_bulk([body.request_id for _, body in parsed])

        done: list[str] = []  # receipt handles to delete
        to_send: list[tuple[dict[str, Any], CollaborationRequest]] = []
        for message, body in parsed:
            request = requests.get(body.request_id)
            if request is None or not _matches(request, body):
                _leave_to_redrive(message, f"names no pending request ({body.request_id})")
            elif request.emailed_at is not None:
                logger.info("request %s was emailed already; deleting its copy", request.pk)
                result.redelivered += 1
                done.append(message["ReceiptHandle"])
            elif claim(request.pk):
                to_send.append((message, request))
            else:
                logger.info("request %s is being sent by another worker", request.pk)

        futures: dict[Future[None], tuple[dict[str, Any], CollaborationRequest]] = {
            self._pool.submit(send_invitation, request): (message, request)
            for message, request in to_send
        }
        sent: list[CollaborationRequest] = []
        for future in as_completed(futures):
            message, request = futures[future]
            try:
                future.result()
            except EmailFailed as error:
                logger.warning("invitation email for request %s failed: %s", request.pk, error)
                count("EmailsFailed")
                CollaborationRequest.objects.filter(pk=request.pk).update(email_claimed_at=None)
                continue
            # Recorded at once, not per batch: a crash now costs at most this one email twice.
            CollaborationRequest.objects.filter(pk=request.pk).update(emailed_at=timezone.now())
            count("EmailsSent")
            sent.append(request)
            done.append(message["ReceiptHandle"])

        delete_messages(done)
        result.emailed = len(sent)
        result.kept = result.received - len(done)
        if settings.SHARING_AUTO_CONFIRM:
            for request in sent:
                services.auto_confirm(request)
        return result


def _matches(request: CollaborationRequest, body: SharingMessage) -> bool:
    return (
        request.todo_id == body.todo_id
        and request.collaborator_id == body.collaborator_id
        and hmac.compare_digest(request.token.encode(), body.token.encode())
    )


def _leave_to_redrive(message: dict[str, Any], reason: str) -> None:
    receives = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
    logger.error(
        "sharing message %s %s; left for the redrive policy (receive %s)",
        message.get("MessageId"),
        reason,
        receives,
    )
