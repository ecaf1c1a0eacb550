"""The one WebSocket endpoint. A plain path check rather than channels' URLRouter, whose
copy of the scope (with its resolved route) would stay in memory for as long as each socket
lives; there is a single route and it has no parameters."""

from typing import Any

from channels.security.websocket import WebsocketDenier

from notifications.consumers import NotificationConsumer

NOTIFICATIONS_PATH = "/ws/notifications/"

notification_consumer = NotificationConsumer.as_asgi()


async def websocket_routes(scope: dict[str, Any], receive: Any, send: Any) -> Any:
    if scope.get("path") == NOTIFICATIONS_PATH:
        return await notification_consumer(scope, receive, send)
    return await WebsocketDenier()(scope, receive, send)
