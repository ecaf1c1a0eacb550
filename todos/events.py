"""The one seam between changes to todos and the notices about them.

Services call `announce(...)`; once the transaction commits, the `todo_announced` signal
carries an `Announcement`. The notices app (notices/receivers.py) receives it: it pushes the
event to everyone who can see the todo (so their pages stay live), with the toast text only
for those who chose toasts for that kind, and queues emails. Without a receiver, the event
is pushed with its text to everyone who can see the todo, as before notices existed."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from notifications.publishing import publish, todo_event
from todos.models import Todo
from todos.permissions import audience as audience_of

logger = logging.getLogger(__name__)


class NoticeKind(enum.StrEnum):
    """What a notice is about; each user chooses per kind how to hear of it."""

    SHARED = "shared"  # shared with me (or my role changed)
    CHANGED = "changed"  # fields, files, reminders, assignees, moves, deletes
    COMMENTED = "commented"
    COMPLETED = "completed"
    DUE_SOON = "due_soon"


@dataclass(frozen=True)
class Announcement:
    todo_id: int
    title: str
    actor_id: int | None
    actor_name: str
    kind: NoticeKind
    event_type: str  # the push's type, e.g. "todo_updated" (static/js/live.js)
    text: str  # the toast's sentence, and the email's line
    # Everyone who could see the todo when it changed. Receivers read who can see it when
    # the notice goes out (someone who lost access meanwhile hears nothing), and fall back
    # on this when the todo is gone by then, or when it is `final` (a deleted todo).
    audience: frozenset[int] = frozenset()
    final: bool = False
    # Who hears of it (toast or email) instead of the todo's watchers, e.g. the person a
    # todo was just shared with; still only those who can see the todo.
    to: frozenset[int] | None = None


todo_announced = Signal()  # sender=Announcement, announcement=…


def announce(
    todo: Todo,
    actor: Any,
    kind: NoticeKind,
    text: str,
    *,
    event_type: str,
    audience: Iterable[int] | None = None,
    to: Iterable[int] | None = None,
) -> Announcement:
    """Tell the todo's people about a change, once the current transaction commits (at once
    outside one). Give `audience` (who could see it) only for a todo about to be deleted."""
    actor_id = getattr(actor, "pk", None)
    announcement = Announcement(
        todo_id=todo.pk,
        title=todo.title,
        actor_id=actor_id,
        actor_name=str(actor) if actor_id is not None else "",
        kind=kind,
        event_type=event_type,
        text=text,
        audience=frozenset(audience if audience is not None else audience_of(todo)),
        final=audience is not None,
        to=frozenset(to) if to is not None else None,
    )
    transaction.on_commit(lambda: deliver(announcement))
    return announcement


def deliver(announcement: Announcement) -> None:
    answers = todo_announced.send_robust(sender=Announcement, announcement=announcement)
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.error(
                "notice receiver %r failed", receiver, exc_info=(type(answer), answer, None)
            )
    if answers:
        # Taken (a receiver that failed has logged; pushing again here could toast twice).
        return
    # Nobody listens (no notices app): the pages stay live all the same.
    recipients = announcement.audience
    todo = Todo.objects.filter(pk=announcement.todo_id).first()
    if todo is not None and not announcement.final:
        recipients = frozenset(audience_of(todo))
    event = push_event(announcement, toast=True)
    for user_id in sorted(recipients - {announcement.actor_id}):
        publish(user_id, event)


def push_event(announcement: Announcement, *, toast: bool) -> Any:
    """The pushed event; without `toast` its text is empty, so the page refreshes what
    changed and shows no toast."""
    event = todo_event(
        announcement.event_type,
        todo=_TodoRef(announcement.todo_id, announcement.title),
        actor=announcement.actor_name,
        text=announcement.text if toast else "",
    )
    return event


@dataclass(frozen=True)
class _TodoRef:
    pk: int
    title: str
