"""The WebSocket a logged-in browser tab keeps open to hear about its user's todos."""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from channels.generic.websocket import AsyncWebsocketConsumer

from notifications.delivery import local_sockets
from notifications.relay import start_relay
from notifications.sockets import session_tag, watch

logger = logging.getLogger(__name__)

# Close codes (4000-4999: the application's own). The page does not reconnect after either.
CLOSE_SESSION_ENDED = 4001  # the session logged out, expired, or its user was deactivated
CLOSE_NOT_LOGGED_IN = 4401  # no logged-in session at connect

# Events waiting for a socket whose browser does not read them; past this, new ones are
# dropped (the page refreshes its live parts on the next load or resync).
OUTBOX_LIMIT = 100


class NotificationConsumer(AsyncWebsocketConsumer):
    session_key: str | None = None
    session_tag: str | None = None
    user_id: int | None = None
    ended = False
    # Created when first needed: most sockets are idle, and each costs memory.
    _outbox: deque[str] | None = None
    _writer: asyncio.Task[None] | None = None
    _closing: asyncio.Task[None] | None = None

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
        self.session_tag = session_tag(session_key)
        await self.accept()
        local_sockets.add(self)
        watch.start()
        start_relay()

    async def disconnect(self, code: int) -> None:
        self.ended = True
        self._outbox = None
        local_sockets.discard(self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Whatever the client sends is ignored: the socket only carries events to it."""

    def push(self, text: str) -> None:
        """Queue an event for the browser (called on the loop by notifications/delivery.py).
        The write happens in a task of this socket's own, so that a browser that stops
        reading holds up no one else's events."""
        if self.ended:
            return
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write(text))
            return
        # A write is under way: the writer sends these after it, in order.
        if self._outbox is None:
            self._outbox = deque()
        if len(self._outbox) < OUTBOX_LIMIT:
            self._outbox.append(text)

    async def _write(self, text: str) -> None:
        try:
            # uvicorn's send, without channels' wrapper: one coroutine less per event.
            await self.base_send({"type": "websocket.send", "text": text})
            while self._outbox and not self.ended:
                await self.base_send({"type": "websocket.send", "text": self._outbox.popleft()})
        except Exception:
            logger.debug("a socket went away while being written to", exc_info=True)
        finally:
            # Whatever is left is for a socket that ended or went away.
            self._writer = None
            self._outbox = None

    def end(self) -> None:
        """Stop hearing anything at once (nothing delivered after this reaches the browser),
        then close with CLOSE_SESSION_ENDED."""
        if self.ended:
            return
        self.ended = True
        self._outbox = None
        local_sockets.discard(self)
        self._closing = asyncio.get_running_loop().create_task(self.close(code=CLOSE_SESSION_ENDED))
