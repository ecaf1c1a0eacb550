"""Collecting notice lines into at most one email per person and todo per window, and
choosing, when the email goes out, the lines its recipient still wants.

A batch's `lines` are JSON objects: `{"text": …, "kind": <NoticeKind>, "watching": bool}`,
`watching` true for a line queued because its recipient watched the todo (false for one
addressed to them by name, `announce(…, to=…)`). Batches queued before lines had a kind
hold plain strings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from notices.models import Channel, PendingNotice
from notices.preferences import preferences_of
from todos.events import NoticeKind
from todos.watching import watchers

# An email lists at most this many lines (the newest); a busy todo says "and N more".
MAX_LINES = 50


@dataclass(frozen=True)
class NoticeLine:
    text: str
    kind: NoticeKind | None  # None: queued before lines had a kind
    watching: bool  # queued because the recipient watched the todo

    def stored(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "watching": self.watching}

    @classmethod
    def read(cls, raw: Any) -> NoticeLine:
        if isinstance(raw, str):
            return cls(text=raw, kind=None, watching=False)
        kind = raw.get("kind")
        return cls(
            text=str(raw["text"]),
            kind=NoticeKind(kind) if kind else None,
            watching=bool(raw.get("watching", False)),
        )


def add_line(
    *, user_id: int, todo_id: int, line: str, kind: NoticeKind, watching: bool
) -> PendingNotice:
    """Append `line`, news of `kind`, to the open batch of (user, todo), opening one if there
    is none; `watching`: the user hears of it because they watch the todo (rather than by
    name). A new batch is due NOTICE_EMAIL_DELAY_SECONDS from now (a moment to gather what
    comes with it), and never sooner than NOTICE_EMAIL_WINDOW_SECONDS after the previous
    one."""
    entry = NoticeLine(text=line, kind=kind, watching=watching).stored()
    for _ in range(3):
        with transaction.atomic():
            batch = (
                PendingNotice.objects.select_for_update()
                .filter(user_id=user_id, todo_id=todo_id, sealed_at=None)
                .first()
            )
            if batch is not None:
                batch.lines = [*batch.lines, entry]
                PendingNotice.objects.filter(pk=batch.pk).update(lines=batch.lines)
                return batch
            try:
                # A savepoint: two first lines at once both find no batch; the unique
                # constraint lets one in, and the other appends to it on the next round.
                with transaction.atomic():
                    return PendingNotice.objects.create(
                        user_id=user_id,
                        todo_id=todo_id,
                        lines=[entry],
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


def lines_still_wanted(notice: PendingNotice) -> list[str]:
    """The texts of the batch's lines its recipient wants now, oldest first: none if they can
    no longer see the todo; of the rest, those of a kind they still hear of by email, and,
    of the lines they got as a watcher, only while they still watch the todo. Read when the
    email goes out (five small queries), as `watchers` reads who listens."""
    state = watchers(notice.todo)
    if notice.user_id not in state.audience:
        return []
    preferences = preferences_of(notice.user)
    still_watching = notice.user_id in state.watching
    wanted = []
    for line in map(NoticeLine.read, notice.lines):
        if line.kind is not None and preferences.channel(line.kind) != Channel.EMAIL:
            continue
        if line.watching and not still_watching:
            continue
        wanted.append(line.text)
    return wanted
