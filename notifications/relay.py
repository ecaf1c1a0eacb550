"""The one relay of this web process: ActiveMQ's `/topic/todoUpdates.>` → this process's
sockets (notifications/delivery.py).

Started by the ASGI lifespan at startup (todo_project/asgi.py) and, should a server run
without lifespan, by the first WebSocket that connects; stopped at shutdown. Without
ACTIVEMQ_URL there is nothing to relay: publish() hands events to the sockets directly.
"""

import logging
from typing import Any

from notifications.broker import Relay
from notifications.delivery import EVERY_SOCKET, local_sockets
from notifications.publishing import configured_broker
from tracing import metrics

logger = logging.getLogger(__name__)

_relay: Relay | None = None

# When the relay loses the broker, every socket of the process hears {"type": "paused"} (its
# page shows "live updates paused"); once it is back, {"type": "resync"}, and the page
# refreshes its live parts (static/js/notifications.js).
RESYNC_EVENT: dict[str, Any] = {"type": "resync"}
PAUSED_EVENT: dict[str, Any] = {"type": "paused"}


def relay_to_sockets(pairs: list[tuple[int, dict[str, Any]]]) -> None:
    """On the relay's thread: hand what arrived to the sockets' loop."""
    local_sockets.hand_over(pairs)
    # One metric line per broker message (a burst travels as one), not one per event.
    metrics.count("PushEventsRelayed", len(pairs))


def resync() -> None:
    """Tell every socket of this process that pushes may have been missed."""
    local_sockets.hand_over([(EVERY_SOCKET, RESYNC_EVENT)])


def paused() -> None:
    """Tell every socket of this process that pushes are not arriving for now."""
    local_sockets.hand_over([(EVERY_SOCKET, PAUSED_EVENT)])


def start_relay() -> Relay | None:
    """Start this process's relay if a broker is configured and none runs yet. Call from
    the event loop that serves the WebSockets."""
    global _relay
    broker = configured_broker()
    if broker is None or (_relay is not None and _relay.broker == broker):
        return _relay
    if _relay is not None:
        _relay.stop()
    local_sockets.bind_to_running_loop()
    _relay = Relay(broker, relay_to_sockets, on_resubscribed=resync, on_lost=paused).start()
    return _relay


def stop_relay() -> None:
    global _relay
    if _relay is not None:
        _relay.stop()
        _relay = None
