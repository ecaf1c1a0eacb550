"""The WebSocket a logged-in browser tab keeps open to hear about its user's todos."""

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from notifications.publishing import EVERY_SOCKET_GROUP, user_group
from notifications.relay import start_relay

# Sent as the close code to a socket without a logged-in user (4000-4999: application codes).
CLOSE_NOT_LOGGED_IN = 4401


class NotificationConsumer(AsyncWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first so that the browser sees our close code rather than a bare 403.
            await self.accept()
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        # The group comes from the session alone: a browser can never choose what it hears.
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(EVERY_SOCKET_GROUP, self.channel_name)
        await self.accept()
        start_relay()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(EVERY_SOCKET_GROUP, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Whatever the client sends is ignored: the socket only carries events to it."""

    async def todo_event(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message["event"]))
