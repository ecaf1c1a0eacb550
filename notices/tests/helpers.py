"""Setting people up to hear of notices, and reading what they heard."""

from __future__ import annotations

import queue
import uuid

import pytest

from accounts.models import User
from notices.models import NoticePreferences
from notifications.publishing import publish
from notifications.tests.conftest import StompTap


def make_user(username: str) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.com", display_name=username.capitalize()
    )


def choose(user: User, **channels: str) -> None:
    NoticePreferences.objects.update_or_create(user=user, defaults=channels)


def pushed(tap: StompTap, *, until_user: int) -> dict[int, list[tuple[str, str]]]:
    """What the broker carried to each user, up to a marker sent last: {user id: [(type,
    text)]}."""
    marker = uuid.uuid4().hex
    publish(until_user, {"type": "marker", "todo_id": 0, "title": "", "actor": "", "text": marker})
    seen: dict[int, list[tuple[str, str]]] = {}
    while True:
        try:
            destination, event = tap.messages.get(timeout=10)
        except queue.Empty:
            pytest.fail(f"the marker never came through; got {seen}")
        if event["text"] == marker:
            return seen
        user_id = int(destination.rsplit(".", 1)[1])
        seen.setdefault(user_id, []).append((event["type"], event["text"]))
