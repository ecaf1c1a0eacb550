"""Who is on the other end of a WebSocket: the user and the session key, and nothing else.

channels' AuthMiddlewareStack would keep the loaded session, the user object and three
copies of the scope for as long as the socket lives; a socket only needs two ids (the
consumer joins the user's group, and its session is re-checked by key). The lookup itself
is Django's own: the session engine's store and `django.contrib.auth.get_user`.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.http import parse_cookie


def logged_in_user_id(session_key: str) -> int | None:
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]
    return int(user.pk) if user.is_authenticated else None


def session_cookie(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
    return None


class SessionUserMiddleware:
    """Puts `user_id` (None for a visitor) and `session_key` into the socket's scope."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        session_key = session_cookie(scope)
        user_id = None
        if session_key:
            user_id = await database_sync_to_async(logged_in_user_id)(session_key)
        # Set on the server's own scope of this connection rather than on a copy: a copy
        # would be kept alive beside it for the socket's whole life.
        scope["user_id"] = user_id
        scope["session_key"] = session_key if user_id else None
        return await self.application(scope, receive, send)
