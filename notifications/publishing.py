"""`publish(user_id, event)`: the one way to push an event to a user's browser tabs.

Without a broker (the single-process default) the event goes straight to the user's sockets
in this process (notifications/delivery.py). With ACTIVEMQ_URL set it is SENT to ActiveMQ
(`/topic/todoUpdates.<user_id>`, or several users' events in one message when they are
published together; notifications/broker.py), and the relay of every web process
(notifications/relay.py) hands it to the user's sockets there, so that it reaches the user
wherever their sockets are connected.
"""

import json
import logging
import threading
from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict

from django.conf import settings
from django.db import transaction

from notifications.broker import BrokerSettings, Publisher
from notifications.delivery import CONTROL_KEY, local_sockets

logger = logging.getLogger(__name__)


class Event(TypedDict):
    type: str  # e.g. "todo_updated", "collaboration_confirmed"
    todo_id: int
    title: str
    actor: str
    text: str  # the human-readable sentence the toast shows
    list_id: NotRequired[int]  # an event about a whole list (todo_id 0): which one


def list_event(event_type: str, *, todo_list: Any, actor: Any, text: str) -> Event:
    """An event about a list rather than one todo: a dashboard refreshes its rows; a todo's
    page refreshes what it shows of its list, if it is that list."""
    return Event(
        type=event_type,
        todo_id=0,
        list_id=todo_list.pk,
        title=todo_list.name,
        actor=str(actor),
        text=text,
    )


def publish(user_id: int, event: Event) -> None:
    """Push now. Never raises: a push that cannot be delivered is logged and dropped.
    With a broker it only enqueues: a STOMP send never holds up the request."""
    _send(user_id, dict(event))


def publish_control(user_id: int, control: dict[str, str]) -> None:
    """Tell every socket of the user, on every process, about their sessions (see
    notifications/sockets.py); it travels the way events do, so it is never overtaken by an
    event published after it."""
    _send(user_id, {CONTROL_KEY: control})


def _send(user_id: int, payload: dict[str, Any]) -> None:
    try:
        broker = configured_broker()
        if broker:
            publisher(broker).send(int(user_id), json.dumps(payload))
            return
        local_sockets.hand_over([(int(user_id), payload)])
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
