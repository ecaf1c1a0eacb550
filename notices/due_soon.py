"""Telling watchers, once per due date, that a todo is due tomorrow."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from notices.models import DueSoonNotice
from todos.events import NoticeKind, announce
from todos.models import Status, Todo


def announce_due_soon(today: datetime.date | None = None) -> int:
    """Announce every open todo due tomorrow that was not announced for that date yet;
    returns how many. Safe to run more than once a day, and from two processes at once:
    the unique (todo, due date) row decides who announces."""
    tomorrow = (today or timezone.localdate()) + datetime.timedelta(days=1)
    announced = 0
    for todo in Todo.objects.filter(status=Status.OPEN, due_date=tomorrow).order_by("pk"):
        try:
            with transaction.atomic():
                DueSoonNotice.objects.create(todo=todo, due_date=tomorrow)
                announce(
                    todo,
                    None,
                    NoticeKind.DUE_SOON,
                    f"“{todo.title}” is due tomorrow ({tomorrow:%a} {tomorrow.day} {tomorrow:%b}).",
                    event_type="todo_due_soon",
                )
        except IntegrityError:
            continue
        announced += 1
    return announced
