"""Who a todo is assigned to: people who can comment on or edit it, chosen by its Editors
and its owner."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from todos.events import NoticeKind, announce
from todos.history import record_change
from todos.models import ChangeKind, Todo
from todos.permissions import Action, NotAllowed, can, require
from todos.services import lock_todo


class NotAssignable(NotAllowed):
    """The person cannot be assigned to this todo; the message says why."""


def assign(*, todo: Todo, actor: User, user: User) -> bool:
    """Assign `user`; False if they were assigned already. Raises NotAllowed if `actor` may
    not assign, NotAssignable if `user` cannot comment on or edit the todo, TodoDeleted if
    it is gone."""
    require(actor, Action.ASSIGN, todo)
    if not can(user, Action.COMMENT, todo):
        raise NotAssignable(
            f"{user} cannot be assigned: only people who can comment on or edit this todo can."
        )
    through = Todo.assignees.through
    with transaction.atomic():
        lock_todo(todo.pk)  # a delete waits, and two assigns of one person do not collide
        _, created = through.objects.get_or_create(todo_id=todo.pk, user_id=user.pk)
        if created:
            record_change(todo=todo, actor=actor, kind=ChangeKind.ASSIGNEE, after=str(user))
    if created:
        text = (
            f"{actor} took “{todo.title}”."
            if user.pk == actor.pk
            else f"{actor} assigned {user} to “{todo.title}”."
        )
        announce(todo, actor, NoticeKind.CHANGED, text, event_type="assignees_changed")
    return created


def unassign(*, todo: Todo, actor: User, user: User) -> bool:
    """Take `user` off the todo; False if they were not assigned. Those who may assign may
    unassign anyone, and anyone may unassign themselves."""
    if user.pk != actor.pk:
        require(actor, Action.ASSIGN, todo)
    else:
        require(actor, Action.VIEW, todo)
    with transaction.atomic():
        deleted, _ = Todo.assignees.through.objects.filter(
            todo_id=todo.pk, user_id=user.pk
        ).delete()
        if deleted:
            record_change(todo=todo, actor=actor, kind=ChangeKind.ASSIGNEE, before=str(user))
    if deleted:
        text = (
            f"{actor} is no longer assigned to “{todo.title}”."
            if user.pk == actor.pk
            else f"{actor} unassigned {user} from “{todo.title}”."
        )
        announce(todo, actor, NoticeKind.CHANGED, text, event_type="assignees_changed")
    return bool(deleted)
