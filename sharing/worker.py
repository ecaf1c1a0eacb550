"""The sharing worker: the outbox relay (invitation rows → SQS) and the loop that turns SQS
messages into invitation emails.

Guarantees, with several workers running at once:
- the database is the truth: the relay publishes every invitation not yet emailed, and
  publishes it again (with a new token) if it is still not emailed
  `SHARING_RESEND_AFTER_SECONDS` later, whatever became of its message;
- one email per request in all but one case: a worker claims a request (an atomic UPDATE
  on the token's hash, `emailed_at IS NULL` and no live claim) before sending, and records
  `emailed_at` right after that one send; a redelivered message whose email went out is
  deleted without a second one. A worker killed while SES takes an email, or before that
  UPDATE, leaves an email that another worker sends again once the claim expires (SES sends
  what it received even if the sender is gone);
- a message for a request that is gone or superseded (withdrawn, accepted, todo or list
  deleted, expired, token rotated) is deleted with an info log;
- transient SES failures (throttling, 5xx, timeouts) open a circuit breaker: the messages
  in hand come back after a short delay, and the loop stops receiving (which would spend
  the queue's receive budget) until a probe shows SES answering again;
- a message that cannot be parsed stays on the queue until the redrive policy moves it to
  the dead-letter queue.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from sharing import services
from sharing.mailer import EmailFailed, is_transient, send_invitation
from sharing.models import CollaborationRequest
from sharing.queue import (
    MalformedMessage,
    QueueUnavailable,
    SharingMessage,
    delete_messages,
    postpone_message,
    receive_messages,
)
from todo_project.aws import aws_client
from tracing.metrics import count

logger = logging.getLogger(__name__)

RELAY_LINGER_S = 0.05

# Other messages this queue carries, by the "kind" in their JSON (the notices app registers
# its own): a handler takes the received messages of its kind and returns the receipt
# handles to delete. And other outboxes the relay drains beside the invitations: each
# publishes what is due and returns how many it published.
MessageHandler = Callable[[list[dict[str, Any]]], list[str]]
_MESSAGE_KINDS: dict[str, MessageHandler] = {}
_OUTBOXES: list[Callable[[], int]] = []


def register_message_kind(kind: str, handler: MessageHandler) -> None:
    _MESSAGE_KINDS[kind] = handler


def register_outbox(publish: Callable[[], int]) -> None:
    if publish not in _OUTBOXES:
        _OUTBOXES.append(publish)


def _kind_of(message: dict[str, Any]) -> str | None:
    try:
        body = json.loads(message["Body"])
    except (KeyError, TypeError, ValueError):
        return None
    kind = body.get("kind") if isinstance(body, dict) else None
    return kind if isinstance(kind, str) and kind in _MESSAGE_KINDS else None


def _hand_over_other_kinds(
    messages: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """The invitation messages, and the receipt handles of the others' that are done."""
    invitations: list[dict[str, Any]] = []
    others: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        kind = _kind_of(message)
        if kind is None:
            invitations.append(message)
        else:
            others.setdefault(kind, []).append(message)
    done: list[str] = []
    for kind, batch in others.items():
        try:
            done.extend(_MESSAGE_KINDS[kind](batch))
        except Exception:
            logger.exception("handling %d %s message(s) failed; they come back", len(batch), kind)
    return invitations, done


def claim_timeout() -> datetime.timedelta:
    """A claim older than this belongs to a worker that died mid-send; another may take
    over. Longer than one SES send can take with the worker profile's retries."""
    return datetime.timedelta(seconds=settings.SHARING_CLAIM_TIMEOUT_SECONDS)


@dataclass
class BatchResult:
    received: int = 0
    emailed: int = 0
    redelivered: int = 0  # the email had gone out already; message deleted
    stale: int = 0  # the request is gone or the token superseded; message deleted
    postponed: int = 0  # SES failed for now or another worker holds the claim
    kept: int = 0  # left on the queue for redelivery or the dead-letter queue
    sent: list[CollaborationRequest] = field(default_factory=list)


def claim(request_id: int, token_hash: str) -> bool:
    """True if this worker may send the request's email now (and nobody else may)."""
    now = timezone.now()
    return (
        CollaborationRequest.objects.filter(pk=request_id, token_hash=token_hash, emailed_at=None)
        .filter(Q(email_claimed_at=None) | Q(email_claimed_at__lt=now - claim_timeout()))
        .update(email_claimed_at=now)
        == 1
    )


def claim_all(token_hashes: dict[int, str]) -> set[int]:
    """`claim` for several requests ({id: token hash}) in two queries; returns the ids
    claimed."""
    if not token_hashes:
        return set()
    now = timezone.now()
    with transaction.atomic():
        free = [
            pk
            for pk, token_hash in CollaborationRequest.objects.select_for_update(skip_locked=True)
            .filter(pk__in=token_hashes, emailed_at=None)
            .filter(Q(email_claimed_at=None) | Q(email_claimed_at__lt=now - claim_timeout()))
            .values_list("pk", "token_hash")
            if token_hash == token_hashes[pk]
        ]
        CollaborationRequest.objects.filter(pk__in=free).update(email_claimed_at=now)
    return set(free)


class CircuitBreaker:
    """Opens on a transient SES failure; while open the worker receives nothing. Each failed
    probe doubles the pause (up to `max_pause_s`). A passing probe half-opens it (receiving
    resumes; the next failure pauses twice as long as the last), a successful send closes
    it."""

    def __init__(self, *, first_pause_s: float = 1.0, max_pause_s: float = 30.0) -> None:
        self.first_pause_s = first_pause_s
        self.max_pause_s = max_pause_s
        self.failures = 0
        self.half_open = False
        self.retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self.failures > 0 and not self.half_open

    def record_probe_success(self) -> None:
        with self._lock:
            self.half_open = True

    def pause_s(self) -> float:
        return min(self.max_pause_s, self.first_pause_s * 2.0 ** max(0, self.failures - 1))

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1
            self.half_open = False
            self.retry_at = time.monotonic() + self.pause_s()

    def record_success(self) -> None:
        with self._lock:
            self.failures = 0
            self.half_open = False


def probe_ses() -> bool:
    """Does SES answer? GetSendQuota sends nothing and costs no receive."""
    try:
        aws_client("ses", caller="request").get_send_quota()
    except Exception as error:
        if is_transient(error):
            return False
        # SES answered, if only to refuse this call (a policy without GetSendQuota): the
        # sends themselves will tell.
        logger.warning("SES probe refused: %s", error)
    return True


class OutboxRelay:
    """Publishes invitations from the database to SQS (`services.publish_outbox`) in a thread
    of its own: at once when a share commits (PostgreSQL LISTEN/NOTIFY), else every
    `SHARING_RELAY_POLL_SECONDS`, which is also when the sweeper's re-publishes happen."""

    def __init__(self, stop: threading.Event, *, poll_s: float | None = None) -> None:
        self.stop = stop
        self.poll_s = settings.SHARING_RELAY_POLL_SECONDS if poll_s is None else poll_s
        self._listening: Any = None  # the raw connection we LISTEN on
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)

    def start(self) -> OutboxRelay:
        self._thread.start()
        return self

    def join(self, timeout_s: float = 15) -> None:
        self._thread.join(timeout_s)

    def _run(self) -> None:
        backoff_s = 0.0
        while not self.stop.is_set():
            try:
                self.drain()
                backoff_s = 0.0
                if self._wait_for_work(self.poll_s):
                    # Shares come in bursts: a moment's wait fills a batch of ten for one
                    # SQS call instead of one call per share.
                    self.stop.wait(RELAY_LINGER_S)
            except services.PublishWindowFull:
                self.stop.wait(RELAY_LINGER_S)  # the worker is emailing; look again soon
            except QueueUnavailable as error:
                backoff_s = min(30.0, max(1.0, backoff_s * 2))
                logger.warning("SQS unreachable; invitations wait %.0fs: %s", backoff_s, error)
                self.stop.wait(backoff_s)
            except Exception:
                backoff_s = min(30.0, max(1.0, backoff_s * 2))
                logger.exception("the outbox relay failed; retrying in %.0fs", backoff_s)
                self._listening = None
                connection.close()
                self.stop.wait(backoff_s)
        connection.close()

    def drain(self) -> int:
        published = 0
        while not self.stop.is_set():
            sent = services.publish_outbox()
            published += sent
            if sent < services.OUTBOX_BATCH:
                break
        for publish in _OUTBOXES:
            published += publish()
        return published

    def _wait_for_work(self, timeout_s: float) -> bool:
        """Wait for a share to commit (True) or `timeout_s` to pass (False)."""
        if connection.vendor != "postgresql":
            self.stop.wait(timeout_s)
            return False
        connection.ensure_connection()
        raw = connection.connection
        if self._listening is not raw:
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {services.OUTBOX_CHANNEL}")
            self._listening = raw
        # Returns on the first notification (any more are picked up by the same drain).
        return any(True for _ in raw.notifies(timeout=timeout_s, stop_after=1))


class SharingWorker:
    def __init__(
        self,
        *,
        wait_time_s: int = 20,
        max_messages: int = 10,
        email_threads: int | None = None,
        consumers: int = 1,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.wait_time_s = wait_time_s
        self.max_messages = max_messages
        self.consumers = consumers
        self.breaker = breaker or CircuitBreaker()
        self._pool = ThreadPoolExecutor(
            max_workers=(email_threads or settings.SHARING_EMAIL_THREADS) * consumers,
            thread_name_prefix="ses",
        )
        # Built once here rather than by each sending thread at its first email.
        aws_client("ses", caller="worker")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def run(
        self,
        stop: threading.Event,
        *,
        once: bool = False,
        max_idle: int | None = None,
        relay: bool = True,
    ) -> None:
        """Process batches until `stop` is set (after the batch in hand), after one batch
        with `once`, or after `max_idle` empty polls in a row. Errors are logged and retried
        with backoff: the worker keeps going whatever SQS, SES or the database do. The
        outbox relay runs beside the loop (unless `relay` is off).

        With several `consumers`, each runs the loop in a thread of its own, so that one
        batch's receive and database work overlap another's emails."""
        relay_stop = threading.Event()
        outbox = OutboxRelay(relay_stop).start() if relay else None
        try:
            if self.consumers == 1:
                self._loop(stop, once=once, max_idle=max_idle)
                return
            threads = [
                threading.Thread(
                    target=self._consume,
                    args=(stop,),
                    kwargs={"once": once, "max_idle": max_idle},
                    name=f"consumer-{number}",
                )
                for number in range(self.consumers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            relay_stop.set()
            if outbox:
                outbox.join()

    def _consume(self, stop: threading.Event, *, once: bool, max_idle: int | None) -> None:
        try:
            self._loop(stop, once=once, max_idle=max_idle)
        finally:
            connection.close()

    def _loop(self, stop: threading.Event, *, once: bool, max_idle: int | None) -> None:
        backoff_s, idle = 0.0, 0
        while not stop.is_set():
            close_old_connections()
            if self.breaker.is_open and not self._ses_is_back(stop):
                if once:
                    return
                continue
            try:
                result = self.process_batch()
            except Exception as error:
                backoff_s = min(30.0, max(1.0, backoff_s * 2))
                if isinstance(error, QueueUnavailable):  # expected now and then: no traceback
                    logger.warning("SQS unreachable; retrying in %.0fs: %s", backoff_s, error)
                else:
                    logger.exception("sharing worker loop failed; retrying in %.0fs", backoff_s)
                if once:
                    return
                stop.wait(backoff_s)
                continue
            backoff_s = 0.0
            idle = 0 if result.received else idle + 1
            if once or (max_idle is not None and idle >= max_idle):
                return

    def _ses_is_back(self, stop: threading.Event) -> bool:
        stop.wait(max(0.0, self.breaker.retry_at - time.monotonic()))
        if stop.is_set():
            return False
        if probe_ses():
            logger.info("SES answers again; receiving invitations")
            self.breaker.record_probe_success()
            return True
        self.breaker.record_failure()
        logger.warning("SES still failing; next try in %.0fs", self.breaker.pause_s())
        return False

    def process_batch(self) -> BatchResult:
        messages = receive_messages(max_messages=self.max_messages, wait_time_s=self.wait_time_s)
        result = BatchResult(received=len(messages))
        if not messages:
            return result
        logger.info("received %d sharing message(s)", len(messages))
        messages, done = _hand_over_other_kinds(messages)

        parsed: list[tuple[dict[str, Any], SharingMessage]] = []
        for message in messages:
            try:
                parsed.append((message, SharingMessage.parse(message["Body"])))
            except MalformedMessage as error:
                _leave_to_redrive(message, f"malformed: {error}")
                result.kept += 1
        requests = CollaborationRequest.objects.select_related(
            "todo", "todo__owner", "todo_list", "todo_list__owner", "collaborator", "invited_by"
        ).in_bulk([body.request_id for _, body in parsed])

        # `done`: receipt handles to delete
        to_send: list[tuple[dict[str, Any], CollaborationRequest, SharingMessage]] = []
        claimed = claim_all(
            {
                request.pk: request.token_hash
                for _, body in parsed
                if (request := requests.get(body.request_id)) is not None
                and _matches(request, body)
                and request.emailed_at is None
            }
        )
        sending: set[int] = set()
        for message, body in parsed:
            request = requests.get(body.request_id)
            if request is None or not _matches(request, body):
                logger.info(
                    "sharing message for request %s is stale (withdrawn, confirmed, expired "
                    "or sent again with a new token); deleted",
                    body.request_id,
                )
                result.stale += 1
                done.append(message["ReceiptHandle"])
            elif request.emailed_at is not None:
                logger.info("request %s was emailed already; deleting its copy", request.pk)
                result.redelivered += 1
                done.append(message["ReceiptHandle"])
            elif request.pk in sending:
                # A second copy in the same batch: gone with the first one's fate below.
                result.redelivered += 1
                done.append(message["ReceiptHandle"])
            elif request.pk in claimed:
                sending.add(request.pk)
                to_send.append((message, request, body))
            else:
                self._not_claimed(message, request, result, done)

        # Each sending thread records its own send the moment SES takes it, on its own
        # database connection (a crash then costs at most the emails SES has taken in the
        # last few milliseconds), and the batch is deleted once all are recorded.
        outcomes = list(self._pool.map(lambda item: _send_one(item[1], item[2].token), to_send))
        transient = False
        for (message, request, _), failure in zip(to_send, outcomes, strict=True):
            if failure is None:
                result.emailed += 1
                result.sent.append(request)
                done.append(message["ReceiptHandle"])
            elif failure.transient:
                transient = True
                result.postponed += 1
            else:
                _leave_to_redrive(message, f"could not be emailed: {failure}")
                result.kept += 1
        if result.emailed:
            self.breaker.record_success()
        if transient:
            self.breaker.record_failure()
            delay_s = max(1, round(self.breaker.pause_s()))
            logger.warning(
                "SES failing for now; %d invitation(s) wait, receiving paused for %ds",
                result.postponed,
                delay_s,
            )
            for (message, _, _), failure in zip(to_send, outcomes, strict=True):
                if failure is not None and failure.transient:
                    postpone_message(message["ReceiptHandle"], delay_s)

        delete_messages(done)
        if settings.SHARING_AUTO_CONFIRM:
            for request in result.sent:
                services.auto_confirm(request)
        return result

    def _not_claimed(
        self,
        message: dict[str, Any],
        request: CollaborationRequest,
        result: BatchResult,
        done: list[str],
    ) -> None:
        current = (
            CollaborationRequest.objects.filter(pk=request.pk)
            .values("token_hash", "emailed_at", "email_claimed_at")
            .first()
        )
        if current is None or current["token_hash"] != request.token_hash:
            logger.info("request %s went away while its message waited; deleted", request.pk)
            result.stale += 1
            done.append(message["ReceiptHandle"])
        elif current["emailed_at"] is not None:
            logger.info("request %s was emailed meanwhile; deleting its copy", request.pk)
            result.redelivered += 1
            done.append(message["ReceiptHandle"])
        else:
            # Another worker is sending it: look again when its claim would have expired.
            claimed_at = current["email_claimed_at"] or timezone.now()
            left = (claimed_at + claim_timeout() - timezone.now()).total_seconds()
            logger.info("request %s is being sent by another worker", request.pk)
            postpone_message(message["ReceiptHandle"], max(1, int(left) + 1))
            result.postponed += 1


def _send_one(request: CollaborationRequest, token: str) -> EmailFailed | None:
    """Send one invitation and record the outcome at once; returns the failure instead of
    raising. Runs in a sending thread (with a database connection of its own)."""
    try:
        send_invitation(request, token)
    except EmailFailed as error:
        logger.warning("invitation email for request %s failed: %s", request.pk, error)
        count("EmailsFailed")
        _record(request.pk, email_claimed_at=None)
        return error
    _record(request.pk, emailed_at=timezone.now())
    count("EmailsSent")
    return None


def _record(request_id: int, **values: Any) -> None:
    try:
        CollaborationRequest.objects.filter(pk=request_id).update(**values)
    except DatabaseError:
        # The thread's connection may have gone stale while idle; one fresh try.
        connection.close()
        CollaborationRequest.objects.filter(pk=request_id).update(**values)


def _matches(request: CollaborationRequest, body: SharingMessage) -> bool:
    if body.version == 1 and (
        request.todo_id != body.todo_id or request.collaborator_id != body.collaborator_id
    ):
        return False
    return (
        request.accepted_at is None
        and request.token_matches(body.token)
        and request.created >= timezone.now() - services.invitation_ttl()
    )


def _leave_to_redrive(message: dict[str, Any], reason: str) -> None:
    receives = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
    logger.error(
        "sharing message %s %s; left for the redrive policy (receive %s)",
        message.get("MessageId"),
        reason,
        receives,
    )
