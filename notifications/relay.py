"""The one relay of this web process: ActiveMQ's `/topic/todoUpdates.>` → Channels groups.

Started by the ASGI lifespan at startup (todo_project/asgi.py) and, should a server run
without lifespan, by the first WebSocket that connects; stopped at shutdown. Without
ACTIVEMQ_URL there is nothing to relay: publish() feeds the channel layer directly.
"""

import asyncio
import logging
from typing import Any

from channels.layers import get_channel_layer

from notifications.broker import Relay
from notifications.publishing import configured_broker, user_group

logger = logging.getLogger(__name__)

_relay: Relay | None = None


def channel_layer_delivery(loop: asyncio.AbstractEventLoop) -> Any:
    """deliver(user_id, event) for the relay thread: the group send runs on the server's
    event loop, where the consumers and the in-memory channel layer live."""
    layer = get_channel_layer()

    def deliver(user_id: int, event: dict[str, Any]) -> None:
        message = {"type": "todo.event", "event": event}
        asyncio.run_coroutine_threadsafe(layer.group_send(user_group(user_id), message), loop)

    return deliver


def start_relay() -> Relay | None:
    """Start this process's relay if a broker is configured and none runs yet. Call from
    the event loop that serves the WebSockets."""
    global _relay
    broker = configured_broker()
    if broker is None or (_relay is not None and _relay.broker == broker):
        return _relay
    if _relay is not None:
        _relay.stop()
    _relay = Relay(broker, channel_layer_delivery(asyncio.get_running_loop())).start()
    return _relay


def stop_relay() -> None:
    global _relay
    if _relay is not None:
        _relay.stop()
        _relay = None
