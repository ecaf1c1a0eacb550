"""Collecting notice lines into at most one email per person and todo per window."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from notices.models import PendingNotice

# An email lists at most this many lines (the newest); a busy todo says "and N more".
MAX_LINES = 50


def add_line(*, user_id: int, todo_id: int, line: str) -> PendingNotice:
    """Append `line` to the open batch of (user, todo), opening one if there is none. A new
    batch is due NOTICE_EMAIL_DELAY_SECONDS from now (a moment to gather what comes with
    it), and never sooner than NOTICE_EMAIL_WINDOW_SECONDS after the previous one."""
    for _ in range(3):
        with transaction.atomic():
            batch = (
                PendingNotice.objects.select_for_update()
                .filter(user_id=user_id, todo_id=todo_id, sealed_at=None)
                .first()
            )
            if batch is not None:
                batch.lines = [*batch.lines, line]
                PendingNotice.objects.filter(pk=batch.pk).update(lines=batch.lines)
                return batch
            try:
                # A savepoint: two first lines at once both find no batch; the unique
                # constraint lets one in, and the other appends to it on the next round.
                with transaction.atomic():
                    return PendingNotice.objects.create(
                        user_id=user_id,
                        todo_id=todo_id,
                        lines=[line],
                        send_after=_next_send_after(user_id, todo_id),
                    )
            except IntegrityError:
                continue
    raise RuntimeError(f"could not add a notice line for user {user_id} on todo {todo_id}")


def _next_send_after(user_id: int, todo_id: int) -> datetime.datetime:
    now = timezone.now()
    soonest = now + datetime.timedelta(seconds=settings.NOTICE_EMAIL_DELAY_SECONDS)
    previous = (
        PendingNotice.objects.filter(user_id=user_id, todo_id=todo_id)
        .order_by("-send_after")
        .values_list("send_after", flat=True)
        .first()
    )
    if previous is None:
        return soonest
    return max(soonest, previous + datetime.timedelta(seconds=settings.NOTICE_EMAIL_WINDOW_SECONDS))
