"""A todo's history: every service that changes a todo records what changed here.

`record_change` is the one way in (the sharing services call it too); `todo_history` reads
the newest entries for the todo's page in one query."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from todos.models import ChangeKind, Priority, Status, Todo, TodoChange

FIELD_LABELS = {
    "title": "title",
    "description": "description",
    "due_date": "due date",
    "priority": "priority",
    "status": "status",
    "todo_list": "list",
}
_LABELS: dict[str, dict[str, str]] = {
    "priority": dict(Priority.choices),
    "status": dict(Status.choices),
}


def shown(field: str, value: object) -> str:
    """A field's value as the history shows it: labels for choices, ISO dates, names."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return _LABELS.get(field, {}).get(text, text)


def record_change(
    *,
    todo: Todo | int,
    actor: Any,
    kind: ChangeKind,
    field: str = "",
    before: object = "",
    after: object = "",
) -> TodoChange:
    """Append one entry to the todo's history. `actor` may be None (a command, the system);
    `before`/`after` are stored as text (see `shown`). Call it inside the transaction that
    makes the change, so that a rolled-back change leaves no entry."""
    todo_id = todo if isinstance(todo, int) else todo.pk
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    return TodoChange.objects.create(
        todo_id=todo_id,
        actor_id=actor_id,
        kind=kind,
        field=field[:200],
        before=shown(field, before),
        after=shown(field, after),
    )


def record_field_changes(
    *, todo: Todo, actor: Any, changes: Iterable[tuple[str, object, object]]
) -> list[TodoChange]:
    """One entry per (field, before, after) whose values differ, in one INSERT."""
    entries = [
        TodoChange(
            todo_id=todo.pk,
            actor_id=getattr(actor, "pk", None),
            kind=ChangeKind.STATUS if field == "status" else ChangeKind.FIELD,
            field=field,
            before=shown(field, before),
            after=shown(field, after),
        )
        for field, before, after in changes
        if before != after
    ]
    return TodoChange.objects.bulk_create(entries) if entries else []


def record_unassignments(*, actor: Any, unassigned: Iterable[tuple[int, str]]) -> list[TodoChange]:
    """One "unassigned <name>" entry by `actor` per (todo id, person's name), in one INSERT:
    for many todos at once (a list's share revoked)."""
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    entries = [
        TodoChange(todo_id=todo_id, actor_id=actor_id, kind=ChangeKind.ASSIGNEE, before=name)
        for todo_id, name in unassigned
    ]
    return TodoChange.objects.bulk_create(entries) if entries else []


HISTORY_PAGE = 20
HISTORY_MAX = 500


def history_limit(raw: str | None) -> int:
    """The number of entries asked for ("show more" raises it by HISTORY_PAGE), clamped."""
    try:
        wanted = int(raw or HISTORY_PAGE)
    except ValueError:
        wanted = HISTORY_PAGE
    return min(max(wanted, HISTORY_PAGE), HISTORY_MAX)


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    actor: str  # a name, "" for the system (a command, a confirmed invitation)
    text: str  # what happened, after the actor's name: "changed the title from … to …"
    kind: str


def todo_history(todo: Todo, *, limit: int = HISTORY_PAGE) -> tuple[list[HistoryEntry], bool]:
    """The newest `limit` entries, newest first, in words, and whether there are older ones
    (one query)."""
    changes = list(
        TodoChange.objects.filter(todo_id=todo.pk)
        .select_related("actor")
        .order_by("-when", "-id")[: limit + 1]
    )
    entries = [
        HistoryEntry(
            when=change.when,
            actor=str(change.actor) if change.actor else "",
            text=describe(change),
            kind=change.kind,
        )
        for change in changes[:limit]
    ]
    return entries, len(changes) > limit


def _quoted(value: str, limit: int = 120) -> str:
    if not value:
        return "nothing"
    return f"“{value[: limit - 1]}…”" if len(value) > limit else f"“{value}”"


def describe(change: TodoChange) -> str:
    """The change in words (plain text: the template escapes it)."""
    before, after = change.before, change.after
    match change.kind:
        case ChangeKind.CREATED:
            return "created the todo"
        case ChangeKind.FIELD:
            label = FIELD_LABELS.get(change.field, change.field)
            if not before:
                return f"set the {label} to {_quoted(after)}"
            if not after:
                return f"cleared the {label} (was {_quoted(before)})"
            return f"changed the {label} from {_quoted(before)} to {_quoted(after)}"
        case ChangeKind.STATUS:
            return "marked it done" if after == Status.DONE.label else "reopened it"
        case ChangeKind.MOVED:
            return f"moved it from the list {_quoted(before)} to {_quoted(after)}"
        case ChangeKind.SHARED:
            if not before:
                return f"shared it with {change.field} as {after}"
            if not after:
                return f"took {change.field} off it (was {before})"
            return f"changed the role of {change.field} from {before} to {after}"
        case ChangeKind.NOTE:
            return f"added a note: {_quoted(after)}"
        case ChangeKind.FILE:
            return f"attached {_quoted(after)}" if after else f"deleted the file {_quoted(before)}"
        case ChangeKind.REMINDER:
            if after:
                return f"set a reminder for {after}"
            return f"removed the reminder for {before}"
        case ChangeKind.ASSIGNEE:
            person = after or before
            if change.actor_id is not None and str(change.actor) == person:
                person = "themselves"
            return f"assigned {person}" if after else f"unassigned {person}"
    return f"changed {change.field or change.kind}"
