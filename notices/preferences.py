"""Reading and saving how people hear of notices."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import User
from notices.models import DEFAULT_CHANNELS, Channel, NoticePreferences
from todos.events import NoticeKind


def channels_for(user_ids: Iterable[int], kind: NoticeKind) -> dict[int, Channel]:
    """Each user's channel for `kind` (one query; the default for those who never chose)."""
    ids = set(user_ids)
    if not ids:
        return {}
    chosen = dict(
        NoticePreferences.objects.filter(user_id__in=ids).values_list("user_id", kind.value)
    )
    default = DEFAULT_CHANNELS[kind]
    return {user_id: Channel(chosen.get(user_id, default)) for user_id in ids}


def preferences_of(user: User) -> NoticePreferences:
    """The user's saved preferences, or an unsaved row holding the defaults."""
    return NoticePreferences.objects.filter(user=user).first() or NoticePreferences(user=user)
