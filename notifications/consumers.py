"""The WebSocket a logged-in browser tab keeps open to hear about its user's todos."""

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from notifications.publishing import EVERY_SOCKET_GROUP, user_group
from notifications.relay import start_relay
from notifications.sockets import SESSION_ENDED, USER_ENDED, session_tag, watch

# Close codes (4000-4999: the application's own). The page does not reconnect after either.
CLOSE_SESSION_ENDED = 4001  # the session logged out, expired, or its user was deactivated
CLOSE_NOT_LOGGED_IN = 4401  # no logged-in session at connect


class NotificationConsumer(AsyncWebsocketConsumer):
    group: str | None = None
    session_key: str | None = None
    user_id: int | None = None
    ended = False

    async def connect(self) -> None:
        # Both from the session cookie (notifications/auth.py): a browser can never choose
        # what it hears.
        user_id = self.scope.get("user_id")
        session_key = self.scope.get("session_key")
        if user_id is None or not session_key:
            # Accept first so that the browser sees our close code rather than a bare 403.
            await self.accept()
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        self.user_id = user_id
        self.session_key = session_key
        self.group = user_group(user_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(EVERY_SOCKET_GROUP, self.channel_name)
        await self.accept()
        watch.add(self)
        start_relay()

    async def disconnect(self, code: int) -> None:
        watch.discard(self)
        await self._leave_group()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Whatever the client sends is ignored: the socket only carries events to it."""

    async def todo_event(self, message: dict[str, Any]) -> None:
        if not self.ended:
            await self.send(text_data=json.dumps(message["event"]))

    async def session_control(self, message: dict[str, Any]) -> None:
        control = message.get("control") or {}
        kind = control.get("kind")
        mine = self.session_key is not None and control.get("session") == session_tag(
            self.session_key
        )
        if kind == USER_ENDED or (kind == SESSION_ENDED and mine):
            await self.end_session()

    async def end_session(self) -> None:
        """Stop hearing anything at once, then close with CLOSE_SESSION_ENDED."""
        if self.ended:
            return
        self.ended = True
        watch.discard(self)
        await self._leave_group()
        await self.close(code=CLOSE_SESSION_ENDED)

    async def _leave_group(self) -> None:
        if self.group:
            group, self.group = self.group, None
            await self.channel_layer.group_discard(group, self.channel_name)
            await self.channel_layer.group_discard(EVERY_SOCKET_GROUP, self.channel_name)
