"""What happens when a todo is announced (todos/events.py): pushes, toasts, emails."""

from __future__ import annotations

import logging
from typing import Any

from notices.batching import add_line
from notices.models import Channel
from notices.preferences import channels_for
from notifications.publishing import publish
from todos.events import Announcement, push_event
from todos.models import Todo
from todos.watching import watchers

logger = logging.getLogger(__name__)


def on_announced(sender: Any, announcement: Announcement, **kwargs: Any) -> bool:
    """Push the event to everyone who can see the todo (their pages refresh what changed);
    its text, the toast, only to those of the listeners who chose toasts for its kind; and
    queue an email line for those who chose email. Listeners are the todo's watchers, or
    `announcement.to`, always within who can see the todo now (or, for a deleted todo, who
    could see it when it changed, if it is gone). The actor hears nothing of their own doing."""
    todo = Todo.objects.filter(pk=announcement.todo_id).first()
    if todo is None or announcement.final:
        # A deleted todo's watches are gone with it: everyone who could see it listens.
        audience = listening = announcement.audience
    else:
        state = watchers(todo)
        audience, listening = state.audience, state.watching
    if announcement.to is not None:
        listening = announcement.to & audience
    listening = listening - {announcement.actor_id}
    channels = channels_for(listening, announcement.kind)
    for user_id in sorted(audience - {announcement.actor_id}):
        toast = channels.get(user_id) == Channel.TOAST
        publish(user_id, push_event(announcement, toast=toast))
    if todo is not None:
        for user_id in sorted(listening):
            if channels.get(user_id) == Channel.EMAIL:
                add_line(
                    user_id=user_id,
                    todo_id=todo.pk,
                    line=announcement.text,
                    kind=announcement.kind,
                    watching=announcement.to is None,
                )
    return True
