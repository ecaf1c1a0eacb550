"""A socket lives only as long as its session.

Two ways end it:
- At once, when its session ends here: logout (Django's user_logged_out), a user deactivated
  or deleted. A control message goes to the user's topic, the way events go (through
  ActiveMQ to every web process when a broker is configured), and each consumer of that
  session (or of that user) closes with CLOSE_SESSION_ENDED.
- At the latest after SOCKET_RECHECK_SECONDS, whatever ended the session (it expired, an
  admin deleted it, a message was lost): one sweep per process checks the sessions of all
  its sockets with a query per thousand, and closes those whose session or user is gone.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import close_old_connections, transaction
from django.utils import timezone

from notifications.delivery import SESSION_ENDED, USER_ENDED, LocalSockets, local_sockets
from notifications.publishing import publish_control

logger = logging.getLogger(__name__)

CHECK_CHUNK = 1000


def session_tag(session_key: str) -> str:
    """Names a session in messages and logs without revealing its key."""
    return hashlib.sha256(f"socket-session:{session_key}".encode()).hexdigest()[:32]


def end_session_sockets(user_id: int, session_key: str) -> None:
    publish_control(user_id, {"kind": SESSION_ENDED, "session": session_tag(session_key)})


def end_user_sockets(user_id: int) -> None:
    def send() -> None:
        publish_control(user_id, {"kind": USER_ENDED})

    transaction.on_commit(send)


def on_logged_out(sender: object, request: Any, user: Any, **kwargs: object) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        end_session_sockets(user.pk, session_key)


def on_user_saved(sender: object, instance: Any, created: bool, **kwargs: object) -> None:
    if not created and not instance.is_active:
        end_user_sockets(instance.pk)


def on_user_deleted(sender: object, instance: Any, **kwargs: object) -> None:
    end_user_sockets(instance.pk)


def live_sessions(sockets: Iterable[tuple[str, int]]) -> set[str]:
    """Of the (session key, user id) pairs, the keys whose session exists, has not expired,
    and whose user is active. A session's user never changes under the same key (a login
    as someone else makes a new one), so the rows are not decoded. Runs on a worker thread."""
    owners = dict(sockets)
    keys = list(owners)
    alive: set[str] = set()
    try:
        now = timezone.now()
        for start in range(0, len(keys), CHECK_CHUNK):
            alive.update(
                Session.objects.filter(
                    session_key__in=keys[start : start + CHECK_CHUNK], expire_date__gt=now
                ).values_list("session_key", flat=True)
            )
        user_ids = {owners[key] for key in alive}
        active = set(
            get_user_model()
            .objects.filter(pk__in=user_ids, is_active=True)
            .values_list("pk", flat=True)
        )
    finally:
        close_old_connections()
    return {key for key in alive if owners[key] in active}


class SessionWatch:
    """The sweep that re-checks the sessions of this process's sockets."""

    def __init__(self, sockets: LocalSockets) -> None:
        self.sockets = sockets
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Call on the sockets' loop when a socket opens; the sweep runs while any is open."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while len(self.sockets):
            await asyncio.sleep(settings.SOCKET_RECHECK_SECONDS)
            try:
                await self.check()
            except Exception:
                # The database may be away: sockets stay until the next sweep can tell.
                logger.warning("socket session re-check failed", exc_info=True)

    async def check(self) -> int:
        """Close the sockets whose session is gone; returns how many were closed."""
        sockets = list(self.sockets.all())
        pairs = {
            (consumer.session_key, consumer.user_id)
            for consumer in sockets
            if consumer.session_key and consumer.user_id is not None
        }
        live = await sync_to_async(live_sessions, thread_sensitive=False)(pairs)
        closed = 0
        for consumer in sockets:
            if consumer.session_key and consumer.session_key not in live:
                consumer.end()
                closed += 1
        return closed


watch = SessionWatch(local_sockets)
