"""Notice emails through the sharing queue: the worker's relay publishes due batches
(`publish_due`), and the worker hands the messages of kind "notice" to `handle_messages`.

The database is the truth, as for invitations: a batch not emailed
SHARING_RESEND_AFTER_SECONDS after its message went out is published again, whatever became
of the message. One email per batch in all but one case: a worker claims the batch (an
atomic UPDATE on `emailed_at IS NULL` and no live claim) before sending and records
`emailed_at` right after that one send; a worker that dies between SES taking the email and
that UPDATE leaves the batch to be sent again once its claim expires. When the batch goes
out, its lines are read again against its recipient (notices.batching.lines_still_wanted):
whoever can no longer see the todo gets nothing; a line of a kind they no longer want by
email, or one they got as a watcher of a todo they no longer watch, is left out; a batch
left with no line is dropped (deleted, its message too) and no email goes."""

from __future__ import annotations

import datetime
import logging
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, ValidationError

from notices.batching import MAX_LINES, lines_still_wanted
from notices.models import PendingNotice
from sharing.queue import SQS_BATCH_LIMIT, QueueUnavailable, queue_url
from todo_project.aws import aws_client
from todo_project.emails import send_email
from tracing.metrics import count

logger = logging.getLogger(__name__)

MESSAGE_KIND = "notice"


class NoticeMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    kind: Literal["notice"]
    notice_id: int


def _claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SHARING_CLAIM_TIMEOUT_SECONDS)


def publish_due(*, limit: int = SQS_BATCH_LIMIT) -> int:
    """Seal and publish up to `limit` batches whose time has come (or whose message went
    unanswered too long); returns how many SQS took. Rows are claimed and committed before
    SQS is called: no transaction is held across the network call."""
    now = timezone.now()
    resend_before = now - datetime.timedelta(seconds=settings.SHARING_RESEND_AFTER_SECONDS)
    with transaction.atomic():
        due = list(
            PendingNotice.objects.select_for_update(skip_locked=True)
            .filter(emailed_at=None, send_after__lte=now)
            .filter(Q(queued_at=None) | Q(queued_at__lt=resend_before))
            .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - _claim_timeout()))
            .order_by("send_after")
            .values_list("pk", flat=True)[:limit]
        )
        if not due:
            return 0
        PendingNotice.objects.filter(pk__in=due).update(
            queued_at=now, sealed_at=Coalesce("sealed_at", now)
        )
    try:
        response = aws_client("sqs", caller="worker").send_message_batch(
            QueueUrl=queue_url(),
            Entries=[
                {
                    "Id": str(pk),
                    "MessageBody": NoticeMessage(
                        version=1, kind="notice", notice_id=pk
                    ).model_dump_json(),
                }
                for pk in due
            ],
        )
        accepted = {int(entry["Id"]) for entry in response.get("Successful", [])}
    except (BotoCoreError, ClientError, QueueUnavailable) as error:
        logger.warning("SQS did not take %d notice message(s): %s", len(due), error)
        accepted = set()
    failed = [pk for pk in due if pk not in accepted]
    if failed:
        # Sealed they stay (new lines go to the next batch); published on the next round.
        PendingNotice.objects.filter(pk__in=failed, queued_at=now).update(queued_at=None)
    if not accepted:
        raise QueueUnavailable(f"SQS took none of {len(due)} notice message(s)")
    return len(accepted)


def handle_messages(messages: list[dict[str, Any]]) -> list[str]:
    """Email the batches the messages name; returns the receipt handles to delete. A message
    left undeleted comes back after the visibility timeout (and after three receives goes to
    the dead-letter queue; the relay publishes its batch again meanwhile)."""
    done: list[str] = []
    for message in messages:
        try:
            body = NoticeMessage.model_validate_json(message["Body"], strict=True)
        except ValidationError as error:
            logger.error("malformed notice message %s: %s", message.get("MessageId"), error)
            continue
        if send_notice(body.notice_id):
            done.append(message["ReceiptHandle"])
    return done


def claim(notice_id: int) -> bool:
    now = timezone.now()
    return (
        PendingNotice.objects.filter(pk=notice_id, emailed_at=None)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - _claim_timeout()))
        .update(claimed_at=now)
        == 1
    )


def send_notice(notice_id: int) -> bool:
    """Send one batch's email; True when its message is done with (sent now or before, or
    nothing to send), False to have it come back."""
    notice = PendingNotice.objects.select_related("user", "todo").filter(pk=notice_id).first()
    if notice is None or notice.emailed_at is not None:
        return True
    if not claim(notice_id):
        return False  # another worker is sending it
    person, todo = notice.user, notice.todo
    lines = lines_still_wanted(notice) if person.is_active and person.email else []
    if not lines:
        logger.info(
            "notice %s dropped: its recipient can no longer see the todo, no longer watches"
            " it or no longer wants these notices by email",
            notice_id,
        )
        PendingNotice.objects.filter(pk=notice_id).delete()
        return True
    context = {
        "recipient": person,
        "todo": todo,
        "lines": lines[-MAX_LINES:],
        "more": max(0, len(lines) - MAX_LINES),
        "link": settings.EXTERNAL_URL + reverse("todos:show", args=[todo.pk]),
        "settings_link": settings.EXTERNAL_URL + reverse("notices:settings"),
    }
    try:
        send_email("todo-notice", person.email, context)
    except Exception:
        logger.exception("notice %s: email to user %s failed", notice_id, person.pk)
        count("EmailsFailed")
        PendingNotice.objects.filter(pk=notice_id).update(claimed_at=None)
        return False
    PendingNotice.objects.filter(pk=notice_id).update(emailed_at=timezone.now())
    count("NoticesEmailed")
    return True
