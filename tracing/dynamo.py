"""The DynamoDB side of breadcrumbs: the background writer, the table, and the one Query.

Writes never sit in the request path. A request only puts its item in a bounded in-process
buffer; one thread per process drains it with BatchWriteItem (up to 25 items a call),
retrying unprocessed items, throttling and an unreachable endpoint with exponential backoff.
A full buffer drops the item (counted, logged, metric BreadcrumbsDropped) rather than block
or fail a page. The buffer is flushed at shutdown (stop_writer), for at most
TRACING_SHUTDOWN_FLUSH_SECONDS, and at interpreter exit.
"""

from __future__ import annotations

import atexit
import datetime
import logging
import os
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from todo_project.aws import aws_client
from tracing.metrics import count

logger = logging.getLogger(__name__)

BATCH_SIZE = 25  # BatchWriteItem's limit
# Worth retrying: DynamoDB is busy or briefly broken. Anything else (a missing table, a
# malformed item) will not get better by waiting, and the batch is given up.
RETRYABLE_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
DROP_REPORT_INTERVAL_S = 1.0

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]


def serialize(item: Item) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in item.items() if value is not None}


def deserialize(item: dict[str, Any]) -> Item:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


class BreadcrumbWriter:
    """A bounded buffer drained by one background thread per process."""

    def __init__(
        self,
        *,
        capacity: int,
        table_name: Callable[[], str] = lambda: settings.TRACING_TABLE_NAME,
        client: Callable[[], Any] = lambda: aws_client("dynamodb", caller="worker"),
        max_backoff_s: float = 5.0,
        linger_s: float = 0.2,
        autostart: bool = True,
    ) -> None:
        self._queue: queue.Queue[Item] = queue.Queue(maxsize=capacity)
        self._table_name = table_name
        self._client = client
        self.max_backoff_s = max_backoff_s
        self.linger_s = linger_s
        self._autostart = autostart
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._unfinished = 0  # submitted, neither written nor given up yet
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._stopping = threading.Event()
        self.written = 0
        self.dropped = 0
        self.failed = 0
        self._drops_unreported = 0
        self._last_drop_report = 0.0
        self._outage_logged = False

    # --- request side: never blocks ---

    def submit(self, item: Item) -> bool:
        """Buffer one item for writing; False (and counted) when the buffer is full."""
        if self._autostart:
            self.start()
        with self._lock:
            self._unfinished += 1
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            with self._lock:
                self._unfinished -= 1
                self.dropped += 1
                self._drops_unreported += 1
            self._report_drops()
            return False
        return True

    def _report_drops(self, *, force: bool = False) -> None:
        # One warning and one metric line per interval, not one per dropped item: an
        # overloaded process should not also flood its log.
        with self._lock:
            now = time.monotonic()
            if not self._drops_unreported or (
                not force and now - self._last_drop_report < DROP_REPORT_INTERVAL_S
            ):
                return
            dropped, self._drops_unreported = self._drops_unreported, 0
            self._last_drop_report = now
        logger.warning(
            "breadcrumb buffer full: dropped %d breadcrumbs",
            dropped,
            extra={"dropped": dropped, "dropped_total": self.dropped},
        )
        count("BreadcrumbsDropped", dropped)

    # --- lifecycle ---

    def start(self) -> None:
        """Start the writer thread in this process (again, after a fork)."""
        pid = os.getpid()
        if self._pid == pid and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid == pid and self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="breadcrumb-writer", daemon=True)
            self._pid = pid
            self._thread.start()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is written or given up; False on timeout."""
        if self._unfinished and self._thread is None:
            self.start()
        with self._idle:
            done = self._idle.wait_for(lambda: self._unfinished == 0, timeout)
        self._report_drops(force=True)
        return done

    @property
    def pending(self) -> int:
        """Breadcrumbs submitted and neither written nor given up yet."""
        return self._unfinished

    def stop(self, timeout: float = 5.0) -> None:
        """Flush for at most `timeout` seconds, then stop the thread. Stopping a stopped
        writer returns at once (the exit hook runs after the shutdown's own stop)."""
        if self._stopping.is_set():
            return
        flushed = self.flush(timeout)
        if not flushed:
            logger.warning(
                "stopping with %d breadcrumbs unwritten",
                self._unfinished,
                extra={"unwritten": self._unfinished},
            )
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=1)

    # --- writer thread ---

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                batch = [self._queue.get(timeout=0.5)]
            except queue.Empty:
                self._report_drops()
                continue
            # Wait a moment for company: one call for many items costs the process far less
            # CPU than one call each, and nobody reads a breadcrumb within 200 ms.
            deadline = time.monotonic() + self.linger_s
            while len(batch) < BATCH_SIZE:
                remaining = deadline - time.monotonic()
                try:
                    batch.append(
                        self._queue.get(timeout=remaining)
                        if remaining > 0
                        else self._queue.get_nowait()
                    )
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except Exception:  # the thread must outlive any surprise
                logger.exception("breadcrumb batch lost")
                self.failed += len(batch)
            with self._idle:
                self._unfinished -= len(batch)
                self._idle.notify_all()

    def _backoff(self, attempt: int) -> None:
        delay = min(self.max_backoff_s, 0.05 * 2**attempt)
        self._stopping.wait(delay * random.uniform(0.5, 1.0))  # noqa: S311 (jitter)

    def _write(self, items: list[Item]) -> None:
        table = self._table_name()
        requests = [{"PutRequest": {"Item": serialize(item)}} for item in items]
        attempt = 0
        while requests and not self._stopping.is_set():
            try:
                response = self._client().batch_write_item(RequestItems={table: requests})
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code not in RETRYABLE_ERROR_CODES:
                    logger.error(
                        "DynamoDB refused %d breadcrumbs: %s",
                        len(requests),
                        code,
                        extra={"table": table},
                    )
                    self.failed += len(requests)
                    count("BreadcrumbsFailed", len(requests))
                    return
                self._backoff(attempt)
                attempt += 1
                continue
            except BotoCoreError as error:  # unreachable, timed out: wait for it to return
                if not self._outage_logged:
                    logger.warning("DynamoDB unreachable, breadcrumbs held back: %s", error)
                    self._outage_logged = True
                self._backoff(attempt)
                attempt += 1
                continue
            if self._outage_logged:
                logger.info("DynamoDB reachable again, writing breadcrumbs")
                self._outage_logged = False
            unprocessed = response.get("UnprocessedItems", {}).get(table, [])
            self.written += len(requests) - len(unprocessed)
            if unprocessed:
                # Only what DynamoDB did not take is sent again, after a pause: it was busy.
                self._backoff(attempt)
                attempt += 1
            else:
                attempt = 0
            requests = unprocessed


_writer: BreadcrumbWriter | None = None
_writer_lock = threading.Lock()


def get_writer() -> BreadcrumbWriter:
    """This process's writer, made on first use."""
    global _writer
    if _writer is None:
        with _writer_lock:
            if _writer is None:
                _writer = BreadcrumbWriter(capacity=settings.TRACING_BUFFER_SIZE)
                atexit.register(_writer.stop, settings.TRACING_SHUTDOWN_FLUSH_SECONDS)
    return _writer


def write_breadcrumb(item: Item) -> bool:
    return get_writer().submit(item)


def flush(timeout: float = 10.0) -> bool:
    """Write out what is buffered (tests, and workers before they exit)."""
    return _writer.flush(timeout) if _writer is not None else True


def stop_writer() -> None:
    """At shutdown (SIGTERM): write what this process holds, waiting at most
    TRACING_SHUTDOWN_FLUSH_SECONDS, then stop the writer. Called by the web process's
    lifespan shutdown and by the worker before it exits; the exit hook is only the last
    resort, since a process killed by its signal never runs it."""
    writer = _writer
    if writer is None:
        return
    pending = writer.pending
    if pending:
        logger.info(
            "shutdown: writing %d buffered breadcrumbs",
            pending,
            extra={"pending": pending, "timeout_s": settings.TRACING_SHUTDOWN_FLUSH_SECONDS},
        )
    writer.stop(settings.TRACING_SHUTDOWN_FLUSH_SECONDS)


# --- the table ---


def create_table(table_name: str) -> bool:
    """Create the breadcrumb table (on demand, TTL on `ttl`) unless it exists; True if made."""
    client = aws_client("dynamodb", caller="worker")
    created = True
    try:
        client.create_table(
            TableName=table_name,
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
        created = False
    client.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    ttl = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"},
        )
    return created


def describe_table(table_name: str) -> dict[str, Any]:
    table: dict[str, Any] = aws_client("dynamodb").describe_table(TableName=table_name)["Table"]
    return table


# --- the one read ---


@dataclass
class Page:
    items: list[Item]
    last_sort_key: str | None  # where the next page starts; None on the last page


def query_since(pk: str, since_sort_key: str, *, limit: int, after: str | None = None) -> Page:
    """One page of a user's breadcrumbs with sk >= since_sort_key, newest first."""
    request: dict[str, Any] = {
        "TableName": settings.TRACING_TABLE_NAME,
        "KeyConditionExpression": "pk = :pk AND sk >= :since",
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":since": {"S": since_sort_key}},
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if after is not None:
        request["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": after}}
    # On the request path (/activity): the request profile, so a hung DynamoDB costs the page
    # at most 2 s before it says the activity is unavailable.
    response = aws_client("dynamodb", caller="request").query(**request)
    last = response.get("LastEvaluatedKey")
    return Page(
        items=[deserialize(item) for item in response.get("Items", [])],
        last_sort_key=last["sk"]["S"] if last else None,
    )


def sort_key_time(moment: datetime.datetime) -> str:
    """The time part of a sort key: fixed width, UTC, so string order is time order."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
