"""ActiveMQ over STOMP: broker URLs, the per-process publisher and the per-process relay.

Both hold one long-lived connection each and run on their own daemon thread, so a slow or
missing broker never holds up a request or the event loop: the publisher drops what it cannot
send (push is best effort; the page shows the truth on the next load) and the relay
reconnects with backoff until the broker is back.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import stomp
import stomp.exception
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

TOPIC_PREFIX = "/topic/todoUpdates."
ALL_TOPICS = "/topic/todoUpdates.>"  # ActiveMQ wildcard: every user's topic, and BATCH_TOPIC
# Several users' events published together travel as one message here, a JSON list of
# [user id, event] pairs: 10,000 events in a burst are some twenty broker messages rather than
# 10,000, each of which the broker routes and every relay parses on its own. One publisher
# connection keeps its order across this topic and the users' own (one subscription of each
# relay matches both).
BATCH_TOPIC = "/topic/todoUpdates.batch"
BATCH_MAX_EVENTS = 500
BATCH_MAX_CHARS = 256 * 1024

CONNECT_TIMEOUT_S = 3.0
# Heartbeats find a broker that vanished without closing the socket (a failed-over Amazon MQ).
HEARTBEATS_MS = (10_000, 10_000)
PUBLISH_RETRY_S = 1.0  # while the broker is down, at most one connection attempt per second
RELAY_BACKOFF_INITIAL_S = 0.5
RELAY_BACKOFF_MAX_S = 5.0
PUBLISH_QUEUE_SIZE = 10_000

DEFAULT_PORTS = {"stomp": 61613, "stomp+ssl": 61614}


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool


def parse_broker_url(url: str) -> list[BrokerAddress]:
    """`stomp://h:61613`, `stomp+ssl://h:61614` or `failover:(stomp+ssl://a:61614,…)`.
    Options after `?` (Amazon MQ's failover URLs carry some) are ignored: stomp.py tries the
    brokers in the order given, which is what an active/standby pair needs."""
    text = url.strip()
    failover = re.fullmatch(r"failover:\((?P<urls>[^)]*)\)(\?.*)?", text)
    parts = failover.group("urls").split(",") if failover else [text]
    addresses = []
    for part in parts:
        split = urlsplit(part.strip())
        if split.scheme not in DEFAULT_PORTS or not split.hostname:
            raise ImproperlyConfigured(
                f"ACTIVEMQ_URL: {part.strip()!r} is not stomp://host:port or stomp+ssl://host:port"
            )
        try:
            port = split.port or DEFAULT_PORTS[split.scheme]
        except ValueError as error:
            raise ImproperlyConfigured(f"ACTIVEMQ_URL: bad port in {part.strip()!r}") from error
        addresses.append(BrokerAddress(split.hostname, port, split.scheme == "stomp+ssl"))
    return addresses


def topic_for(user_id: int) -> str:
    return f"{TOPIC_PREFIX}{int(user_id)}"


def user_id_from_destination(destination: str) -> int | None:
    suffix = destination.removeprefix(TOPIC_PREFIX)
    if suffix == destination or not suffix.isdigit() or int(suffix) == 0:
        return None
    return int(suffix)


def batch_body(events: list[tuple[int, str]]) -> str:
    """The BATCH_TOPIC body for (user id, event JSON) pairs, without decoding the events."""
    return "[" + ",".join(f"[{int(user_id)},{body}]" for user_id, body in events) + "]"


def parse_message(destination: str, body: str) -> list[tuple[int, dict[str, Any]]]:
    """The (user id, event) pairs a message carries. Anything with broker credentials can
    send here: never trust the shape. What is not a positive user id with a JSON object is
    left out (and logged), the rest is kept."""
    if destination == BATCH_TOPIC:
        pairs = json.loads(body)
        if not isinstance(pairs, list):
            pairs = []
    else:
        pairs = [[user_id_from_destination(destination), json.loads(body)]]
    kept = [
        (pair[0], pair[1])
        for pair in pairs
        if isinstance(pair, list)
        and len(pair) == 2
        and type(pair[0]) is int
        and pair[0] > 0
        and isinstance(pair[1], dict)
    ]
    if len(kept) < len(pairs) or not pairs:
        logger.warning(
            "push relay ignored %d message(s) to %s", max(len(pairs) - len(kept), 1), destination
        )
    return kept


@dataclass(frozen=True)
class BrokerSettings:
    url: str
    user: str = ""
    password: str = ""


class ConnectionState(stomp.ConnectionListener):
    def __init__(self, on_message: Callable[[Any], None] | None = None) -> None:
        self.connected = threading.Event()
        self.closed = threading.Event()
        self.receipts: dict[str, threading.Event] = {}
        self._on_message = on_message

    def on_connected(self, frame: Any) -> None:
        self.connected.set()

    def on_disconnected(self) -> None:
        self.closed.set()

    def on_heartbeat_timeout(self) -> None:
        self.closed.set()

    def on_error(self, frame: Any) -> None:
        logger.warning("ActiveMQ error: %s", frame.headers.get("message", frame.body))

    def on_receipt(self, frame: Any) -> None:
        receipt = self.receipts.get(frame.headers.get("receipt-id", ""))
        if receipt:
            receipt.set()

    def on_message(self, frame: Any) -> None:
        if self._on_message:
            self._on_message(frame)


def open_connection(broker: BrokerSettings, state: ConnectionState) -> stomp.Connection12:
    """A connected STOMP 1.2 connection, or ConnectFailedException within a bounded time."""
    addresses = parse_broker_url(broker.url)
    connection = stomp.Connection12(
        host_and_ports=[(a.host, a.port) for a in addresses],
        heartbeats=HEARTBEATS_MS,
        reconnect_attempts_max=1,  # our own loops decide when to try again
        reconnect_sleep_initial=0.05,
        timeout=CONNECT_TIMEOUT_S,
    )
    tls_hosts = [(a.host, a.port) for a in addresses if a.tls]
    if tls_hosts:
        connection.set_ssl(for_hosts=tls_hosts)
    connection.set_listener("state", state)
    connection.connect(broker.user or None, broker.password or None, wait=False)
    # stomp.py's own wait has no deadline; this one has.
    if not state.connected.wait(CONNECT_TIMEOUT_S):
        _close_quietly(connection)
        raise stomp.exception.ConnectFailedException("no CONNECTED frame from the broker")
    return connection


def _close_quietly(connection: stomp.Connection12 | None) -> None:
    if connection is None:
        return
    try:
        if connection.is_connected():
            connection.disconnect()  # sends DISCONNECT; the broker then closes the socket
        else:
            connection.transport.disconnect_socket()  # also ends its receiver thread
    except Exception:
        logger.debug("closing the STOMP connection failed", exc_info=True)


class Publisher:
    """SENDs events to ActiveMQ. `send()` only enqueues, so it never blocks the caller; one
    thread owns the connection, connecting lazily and again after a failure. What is waiting
    when it comes to send goes as one message (BATCH_TOPIC); a lone event goes to its user's
    topic. It never waits for more to gather: a single push costs no extra latency."""

    def __init__(self, broker: BrokerSettings, queue_size: int = PUBLISH_QUEUE_SIZE) -> None:
        self.broker = broker
        self._queue: queue.Queue[tuple[int, str] | None] = queue.Queue(maxsize=queue_size)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.dropped = 0

    def send(self, user_id: int, body: str) -> None:
        """Queue `body` (an event as JSON) for the user's sockets on every web process."""
        self._start()
        try:
            self._queue.put_nowait((user_id, body))
        except queue.Full:
            self.dropped += 1
            logger.warning("push queue full; dropped an event for user %s", user_id)

    def _start(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="push-publisher", daemon=True
                    )
                    self._thread.start()

    def stop(self, timeout_s: float = 5) -> None:
        if self._thread is None:
            return
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout_s)
        self._thread.join(timeout_s)

    def _next_batch(self) -> tuple[list[tuple[int, str]], bool]:
        """The next events to send (at least one, unless stopping) and whether to stop after
        them: the first blocks, the rest are only what is already waiting."""
        first = self._queue.get()
        if first is None:
            return [], True
        batch, chars = [first], len(first[1])
        while len(batch) < BATCH_MAX_EVENTS and chars < BATCH_MAX_CHARS:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
            chars += len(item[1])
        return batch, False

    def _run(self) -> None:
        connection: stomp.Connection12 | None = None
        state: ConnectionState | None = None
        retry_at = 0.0
        down_since_drops = 0
        stopping = False
        while not stopping:
            batch, stopping = self._next_batch()
            if not batch:
                break
            if connection is None or state is None or state.closed.is_set():
                _close_quietly(connection)
                connection = None
                if time.monotonic() < retry_at:
                    self.dropped += len(batch)
                    down_since_drops += len(batch)
                    continue
                try:
                    state = ConnectionState()
                    connection = open_connection(self.broker, state)
                except Exception as error:
                    retry_at = time.monotonic() + PUBLISH_RETRY_S
                    self.dropped += len(batch)
                    if down_since_drops == 0:
                        logger.warning("ActiveMQ unreachable, dropping pushes: %s", error)
                    down_since_drops += len(batch)
                    continue
                if down_since_drops:
                    logger.info("ActiveMQ is back; %d pushes were dropped", down_since_drops)
                    down_since_drops = 0
            if len(batch) == 1:
                destination, body = topic_for(batch[0][0]), batch[0][1]
            else:
                destination, body = BATCH_TOPIC, batch_body(batch)
            try:
                connection.send(destination, body, content_type="application/json")
            except Exception:
                logger.warning("push of %d event(s) failed; dropped", len(batch), exc_info=True)
                self.dropped += len(batch)
                _close_quietly(connection)
                connection = None
        _close_quietly(connection)


Deliver = Callable[[list[tuple[int, dict[str, Any]]]], None]


class Relay:
    """One subscription to every user's topic (and BATCH_TOPIC), handing the (user id, event)
    pairs of each message to `deliver(pairs)` on the relay's own thread. Reconnects with
    backoff for as long as it runs."""

    def __init__(
        self,
        broker: BrokerSettings,
        deliver: Deliver,
        on_resubscribed: Callable[[], None] | None = None,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self.broker = broker
        self.deliver = deliver
        # Called after every subscription but the first: events sent while the relay was
        # away are lost, and the pages it serves should refresh.
        self.on_resubscribed = on_resubscribed
        # Called when a subscription ends other than by stop(): pushes pause until it is back.
        self.on_lost = on_lost
        self.subscribed = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: stomp.Connection12 | None = None

    def start(self) -> Relay:
        self._thread = threading.Thread(target=self._run, name="push-relay", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5) -> None:
        self._stopping.set()
        _close_quietly(self._connection)
        if self._thread:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        backoff = RELAY_BACKOFF_INITIAL_S
        was_subscribed = False
        while not self._stopping.is_set():
            state = ConnectionState(on_message=self._on_message)
            try:
                self._connection = open_connection(self.broker, state)
                subscribed = state.receipts["relay-subscribed"] = threading.Event()
                self._connection.subscribe(
                    ALL_TOPICS, id="relay", ack="auto", headers={"receipt": "relay-subscribed"}
                )
                if not subscribed.wait(CONNECT_TIMEOUT_S):
                    raise stomp.exception.ConnectFailedException("SUBSCRIBE not confirmed")
                self.subscribed.set()
                logger.info("push relay subscribed to %s", ALL_TOPICS)
                if was_subscribed and self.on_resubscribed is not None:
                    self.on_resubscribed()
                was_subscribed = True
                backoff = RELAY_BACKOFF_INITIAL_S
                while not state.closed.wait(1) and not self._stopping.is_set():
                    pass
                if not self._stopping.is_set():
                    logger.warning("push relay lost the broker; reconnecting")
                    if self.on_lost is not None:
                        self.on_lost()
            except Exception as error:
                logger.warning("push relay cannot reach ActiveMQ: %s", error)
            self.subscribed.clear()
            _close_quietly(self._connection)
            self._connection = None
            # Jitter, so that many web processes do not all knock at the same instant.
            self._stopping.wait(backoff * (1 + random.random() / 2))  # noqa: S311
            backoff = min(backoff * 2, RELAY_BACKOFF_MAX_S)

    def _on_message(self, frame: Any) -> None:
        try:
            pairs = parse_message(frame.headers.get("destination", ""), frame.body)
            if pairs:
                self.deliver(pairs)
        except ValueError:
            logger.warning("push relay ignored a message that is not JSON")
        except Exception:
            logger.exception("push relay could not hand on a message")
