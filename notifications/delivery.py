"""This process's sockets by user, and the one way a push reaches them.

The relay (events from ActiveMQ) and publish() without a broker both hand over
(user id, payload) pairs; `deliver` puts each event, encoded once, on every socket of that
user in this process, and applies session control messages (notifications/sockets.py).
There is no channel layer in between: a per-user group send through Channels woke each
consumer's task and ran its dispatch (with a thread hop to close database connections) for
every event, which cost several seconds for one event to each of 10,000 sockets.

All of it runs on the event loop that serves the sockets. Hand-overs from other threads (the
relay's, a request thread's) are queued and drained by one callback per burst. A process
whose loop serves no sockets (a management command, a test) delivers in the caller's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

logger = logging.getLogger(__name__)

# Who a payload is for: a user id, or EVERY_SOCKET for all sockets of this process (the
# relay's "paused" and "resync"). Never an id: ids from the broker are positive integers.
EVERY_SOCKET = None
Recipient = int | None
Delivery = tuple[Recipient, dict[str, Any]]

CONTROL_KEY = "session_control"
SESSION_ENDED = "session_ended"
USER_ENDED = "user_ended"


class Receiver(Protocol):
    """A socket as delivery sees it (NotificationConsumer)."""

    user_id: int | None
    session_key: str | None  # None: nothing to re-check (a test's inbox)
    session_tag: str | None

    def push(self, text: str) -> None:
        """Queue one event (JSON text) for the browser; never blocks."""

    def end(self) -> None:
        """Stop hearing anything at once, then close with CLOSE_SESSION_ENDED."""


class LocalSockets:
    def __init__(self) -> None:
        self.by_user: dict[int, set[Receiver]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[Delivery] = []
        self._lock = threading.Lock()
        self._scheduled = False

    def bind_to_running_loop(self) -> None:
        """Deliver on the running loop from now on (the one that serves the sockets)."""
        # Not on a loop (a test's inbox): deliveries stay in the caller's thread.
        with contextlib.suppress(RuntimeError):
            self.loop = asyncio.get_running_loop()

    def add(self, receiver: Receiver) -> None:
        """Call on the loop that serves the socket."""
        assert receiver.user_id is not None
        self.bind_to_running_loop()
        self.by_user.setdefault(receiver.user_id, set()).add(receiver)

    def discard(self, receiver: Receiver) -> None:
        if receiver.user_id is None:
            return
        receivers = self.by_user.get(receiver.user_id)
        if receivers is None:
            return
        receivers.discard(receiver)
        if not receivers:
            del self.by_user[receiver.user_id]

    def all(self) -> Iterator[Receiver]:
        for receivers in list(self.by_user.values()):
            yield from list(receivers)

    def __len__(self) -> int:
        return sum(len(receivers) for receivers in self.by_user.values())

    def hand_over(self, deliveries: Iterable[Delivery]) -> None:
        """Deliver from any thread: on the sockets' loop, in order, as soon as it can."""
        loop = self.loop
        if loop is None or loop.is_closed() or not loop.is_running():
            self.deliver(deliveries)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.deliver(deliveries)
            return
        with self._lock:
            self._pending.extend(deliveries)
            if self._scheduled:
                return
            self._scheduled = True
        # One wake-up of the loop per burst rather than per event keeps the handing thread
        # and the loop from trading the GIL back and forth.
        loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
            self._scheduled = False
        self.deliver(batch)

    def deliver(self, deliveries: Iterable[Delivery]) -> int:
        """Hand each payload to the sockets it is for; returns how many payloads found at
        least one socket here."""
        delivered = 0
        for recipient, payload in deliveries:
            if recipient is EVERY_SOCKET:
                receivers = list(self.all())
            else:
                receivers = list(self.by_user.get(recipient, ()))
            if not receivers:
                continue
            delivered += 1
            try:
                control = payload.get(CONTROL_KEY)
                if isinstance(control, dict):
                    apply_control(receivers, control)
                    continue
                text = json.dumps(payload)  # once per event, however many tabs
                for receiver in receivers:
                    receiver.push(text)
            except Exception:
                logger.exception("could not deliver a push to user %s", recipient)
        return delivered


def apply_control(receivers: Iterable[Receiver], control: dict[str, Any]) -> None:
    """A user ended (deactivated, deleted): all of their sockets end. A session ended: the
    sockets of that session end, the user's other sessions keep theirs."""
    kind = control.get("kind")
    for receiver in receivers:
        mine = receiver.session_tag is not None and control.get("session") == receiver.session_tag
        if kind == USER_ENDED or (kind == SESSION_ENDED and mine):
            receiver.end()


local_sockets = LocalSockets()
