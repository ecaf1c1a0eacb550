"""The one relay of this web process: ActiveMQ's `/topic/todoUpdates.>` → Channels groups.

Started by the ASGI lifespan at startup (todo_project/asgi.py) and, should a server run
without lifespan, by the first WebSocket that connects; stopped at shutdown. Without
ACTIVEMQ_URL there is nothing to relay: publish() feeds the channel layer directly.
"""

import asyncio
import logging
import threading
from collections import deque
from typing import Any

from channels.layers import get_channel_layer

from notifications.broker import Relay
from notifications.publishing import (
    EVERY_SOCKET_GROUP,
    channel_message,
    configured_broker,
    user_group,
)
from tracing import metrics

logger = logging.getLogger(__name__)

_relay: Relay | None = None

# When the relay loses the broker, every socket of the process hears {"type": "paused"} (its
# page shows "live updates paused"); once it is back, {"type": "resync"}, and the page
# refreshes its live parts (static/js/notifications.js).
EVERY_SOCKET = 0  # no user has id 0: in the delivery queue, a message for every socket
RESYNC_EVENT: dict[str, Any] = {"type": "resync"}
PAUSED_EVENT: dict[str, Any] = {"type": "paused"}


class ChannelLayerDelivery:
    """deliver(user_id, event) for the relay thread. The group sends must run on the server's
    event loop, where the consumers and the in-memory channel layer live. Messages are
    queued and handed over in batches: one wake-up of the loop per burst rather than per
    message keeps the relay thread and the loop from trading the GIL back and forth."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.layer = get_channel_layer()
        self._pending: deque[tuple[int, dict[str, Any]]] = deque()
        self._lock = threading.Lock()
        self._scheduled = False

    def __call__(self, user_id: int, event: dict[str, Any]) -> None:
        with self._lock:
            self._pending.append((user_id, event))
            if self._scheduled:
                return
            self._scheduled = True
        self.loop.call_soon_threadsafe(self._start_drain)

    def resync(self) -> None:
        """Tell every socket of this process that pushes may have been missed."""
        self(EVERY_SOCKET, RESYNC_EVENT)

    def paused(self) -> None:
        """Tell every socket of this process that pushes are not arriving for now."""
        self(EVERY_SOCKET, PAUSED_EVENT)

    def _start_drain(self) -> None:
        self.loop.create_task(self._drain())

    async def _drain(self) -> None:
        relayed = 0
        while True:
            with self._lock:
                if not self._pending:
                    self._scheduled = False
                    break
                batch = list(self._pending)
                self._pending.clear()
            for user_id, event in batch:
                message = channel_message(event)
                group = EVERY_SOCKET_GROUP if user_id == EVERY_SOCKET else user_group(user_id)
                try:
                    await self.layer.group_send(group, message)
                    relayed += 1
                except Exception:
                    logger.exception("could not hand a push to the channel layer")
        # One metric line per burst, with the burst's count, rather than one per event.
        metrics.count("PushEventsRelayed", relayed)


def start_relay() -> Relay | None:
    """Start this process's relay if a broker is configured and none runs yet. Call from
    the event loop that serves the WebSockets."""
    global _relay
    broker = configured_broker()
    if broker is None or (_relay is not None and _relay.broker == broker):
        return _relay
    if _relay is not None:
        _relay.stop()
    delivery = ChannelLayerDelivery(asyncio.get_running_loop())
    _relay = Relay(
        broker, delivery, on_resubscribed=delivery.resync, on_lost=delivery.paused
    ).start()
    return _relay


def stop_relay() -> None:
    global _relay
    if _relay is not None:
        _relay.stop()
        _relay = None
