"""`publish(user_id, event)`: the one way to push an event to a user's browser tabs.

Without a broker (the single-process default) the event goes straight to the Channels group
`user-<id>` of this process. With ACTIVEMQ_URL set it is SENT to ActiveMQ's
`/topic/todoUpdates.<user_id>`, and the relay of every web process (notifications/relay.py)
hands it to the group there, so that it reaches the user wherever their sockets are connected.
"""

import json
import logging
import threading
from collections.abc import Iterable
from typing import Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from notifications.broker import BrokerSettings, Publisher, topic_for

logger = logging.getLogger(__name__)


class Event(TypedDict):
    type: str  # e.g. "todo_updated", "collaboration_confirmed"
    todo_id: int
    title: str
    actor: str
    text: str  # the human-readable sentence the toast shows


# Every socket of a process is also in this group, for messages to all of them (a resync).
EVERY_SOCKET_GROUP = "every-socket"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def publish(user_id: int, event: Event) -> None:
    """Push now. Never raises: a push that cannot be delivered is logged and dropped.
    With a broker it only enqueues: a STOMP send never holds up the request."""
    _send(user_id, dict(event))


def publish_control(user_id: int, control: dict[str, str]) -> None:
    """Tell every socket of the user, on every process, about their sessions (see
    notifications/sockets.py); it travels the way events do, so it is never overtaken by an
    event published after it."""
    _send(user_id, {CONTROL_KEY: control})


CONTROL_KEY = "session_control"


def channel_message(event: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message for what arrived for a user: an event for the browser, or a
    session control message for the consumers themselves."""
    control = event.get(CONTROL_KEY)
    if isinstance(control, dict):
        return {"type": "session.control", "control": control}
    return {"type": "todo.event", "event": event}


def _send(user_id: int, payload: dict[str, Any]) -> None:
    try:
        broker = configured_broker()
        if broker:
            publisher(broker).send(topic_for(user_id), json.dumps(payload))
            return
        async_to_sync(get_channel_layer().group_send)(user_group(user_id), channel_message(payload))
    except Exception:
        logger.exception("could not push %s to user %s", payload.get("type"), user_id)


def configured_broker() -> BrokerSettings | None:
    if not settings.ACTIVEMQ_URL:
        return None
    return BrokerSettings(settings.ACTIVEMQ_URL, settings.ACTIVEMQ_USER, settings.ACTIVEMQ_PASSWORD)


_publisher: Publisher | None = None
_publisher_lock = threading.Lock()


def publisher(broker: BrokerSettings) -> Publisher:
    """This process's one publisher (replaced if the broker settings change, as in tests)."""
    global _publisher
    with _publisher_lock:
        if _publisher is None or _publisher.broker != broker:
            if _publisher is not None:
                _publisher.stop()
            _publisher = Publisher(broker)
        return _publisher


def stop_publisher() -> None:
    global _publisher
    with _publisher_lock:
        if _publisher is not None:
            _publisher.stop()
            _publisher = None


def publish_on_commit(user_ids: Iterable[int], event: Event) -> None:
    """Push to each user once the current transaction commits (at once outside one)."""
    recipients = sorted(set(user_ids))

    def send() -> None:
        for user_id in recipients:
            publish(user_id, event)

    transaction.on_commit(send)


def todo_event(event_type: str, *, todo: Any, actor: Any, text: str) -> Event:
    return Event(type=event_type, todo_id=todo.pk, title=todo.title, actor=str(actor), text=text)
