"""A stand-in for a user's socket in this process, for tests that push without a broker."""

from __future__ import annotations

import json
from typing import Any

from notifications.delivery import local_sockets


class Inbox:
    """Registered with this process's sockets (notifications/delivery.py) as one of the user's:
    what publish() delivers to the user lands in `events`, decoded as the browser would."""

    def __init__(self, user_id: int) -> None:
        self.user_id: int | None = user_id
        self.session_key: str | None = None
        self.session_tag: str | None = None
        self.events: list[dict[str, Any]] = []
        self.ended = False
        local_sockets.add(self)

    def push(self, text: str) -> None:
        self.events.append(json.loads(text))

    def end(self) -> None:
        self.ended = True
        self.close()

    def close(self) -> None:
        local_sockets.discard(self)
