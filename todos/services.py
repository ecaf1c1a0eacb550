"""Every change to a todo goes through these functions, whoever calls them."""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from todos.events import NoticeKind, announce
from todos.history import record_change, record_field_changes, record_unassignments
from todos.models import ChangeKind, Note, Role, Share, Status, Todo, TodoList
from todos.permissions import (
    Action,
    NotAllowed,
    audience,
    forget_levels,
    require,
    roles_allowing,
)
from tracing.logs import bind_log_context
from tracing.metrics import count

__all__ = ["NotAllowed"]  # raised by the services here, defined with the rules


def people_to_tell(todo: Todo, actor: User) -> set[int]:
    """Ids of everyone who can see the todo, except whoever acted."""
    return audience(todo) - {actor.pk}


def create_todo(
    *,
    actor: User,
    title: str,
    description: str,
    priority: str,
    due_date: datetime.date | None,
    todo_list: TodoList | None = None,
) -> Todo:
    """A new todo in `todo_list` (the actor's Inbox if None). The list's owner owns it; an
    Editor of someone else's list may add to it."""
    if todo_list is None:
        todo_list = TodoList.objects.inbox_for(actor.pk)
    else:
        require(actor, Action.ADD_TODO, todo_list)
    todo = Todo(
        owner_id=todo_list.owner_id,
        todo_list=todo_list,
        title=title,
        description=description,
        priority=priority,
        due_date=due_date,
        updated_by=actor,
    )
    todo.full_clean(exclude=["updated_by"])
    with transaction.atomic():
        todo.save()
        record_change(todo=todo, actor=actor, kind=ChangeKind.CREATED, after=todo.title)
    bind_log_context(todo_id=todo.pk)
    count("TodosCreated")
    # Whoever sees the list (its owner, when an Editor added it) sees the new row at once.
    announce(
        todo, actor, NoticeKind.CHANGED, f"{actor} added “{todo.title}”.", event_type="todo_created"
    )
    return todo


UPDATABLE_FIELDS = ("title", "description", "priority", "due_date", "status")


class TodoDeleted(Exception):
    """The todo was deleted while this request was working on it."""


class EditConflict(Exception):
    """Someone saved the todo after the version the edit started from. `current` is the
    todo as it is now, with `updated_by` loaded."""

    def __init__(self, current: Todo) -> None:
        super().__init__(f"Todo {current.pk} is at version {current.version}")
        self.current = current


def lock_todo(todo_id: int) -> Todo:
    """Lock the todo's row until the end of the transaction the caller holds, or raise
    TodoDeleted. A row added under a todo holds this lock while it inserts, and a delete
    takes it first: so a delete either waits for the insert and deletes the new row with
    the rest, or goes first, and the insert is told the todo was deleted (instead of a
    foreign-key error, or the delete failing on a row it did not see)."""
    todo = Todo.objects.select_for_update(no_key=True).filter(pk=todo_id).first()
    if todo is None:
        raise TodoDeleted(f"Todo {todo_id} was deleted.")
    return todo


def update_todo(*, todo: Todo, actor: User, version: int | None = None, **changes: object) -> Todo:
    """Apply `changes` (any of UPDATABLE_FIELDS) if the todo is still at `version`, raising
    the version by one. Editors and the owner may change every field; a Commenter only the
    status.

    Raises EditConflict if someone saved it since `version`, TodoDeleted if it is gone.
    `version=None` applies the changes to whatever version is current (for writes that do
    not start from what a person saw)."""
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"Cannot update {', '.join(sorted(unknown))}")
    require(actor, Action.EDIT if set(changes) - {"status"} else Action.SET_STATUS, todo)
    was_done = todo.status == Status.DONE
    before = {field: getattr(todo, field) for field in changes}
    for field, value in changes.items():
        setattr(todo, field, value)
    todo.full_clean(exclude=["owner", "updated_by"])
    now = timezone.now()
    rows = Todo.objects.filter(pk=todo.pk)
    if version is not None:
        rows = rows.filter(version=version)
    # One conditional UPDATE: of two edits from the same version exactly one matches,
    # whatever the timing; the other is a conflict, never a silent overwrite.
    with transaction.atomic():
        updated = rows.update(**changes, version=F("version") + 1, updated=now, updated_by=actor)
        if updated:
            record_field_changes(
                todo=todo,
                actor=actor,
                changes=[(field, before[field], value) for field, value in changes.items()],
            )
    if not updated:
        current = Todo.objects.select_related("updated_by").filter(pk=todo.pk).first()
        if current is None:
            raise TodoDeleted(f"Todo {todo.pk} was deleted.")
        if all(getattr(current, field) == value for field, value in changes.items()):
            # The newer version already says what this edit says (a double-clicked Save,
            # or two people making the same change): nothing to choose between.
            _copy_saved_fields(current, todo)
            return todo
        raise EditConflict(current)
    todo.version = version + 1 if version is not None else todo.version + 1
    todo.updated, todo.updated_by = now, actor
    if todo.status == Status.DONE and not was_done:
        announce(
            todo,
            actor,
            NoticeKind.COMPLETED,
            f"{actor} completed “{todo.title}”.",
            event_type="todo_completed",
        )
    else:
        announce(
            todo,
            actor,
            NoticeKind.CHANGED,
            f"{actor} updated “{todo.title}”.",
            event_type="todo_updated",
        )
    return todo


def _copy_saved_fields(source: Todo, target: Todo) -> None:
    for field in (*UPDATABLE_FIELDS, "version", "updated", "updated_by_id"):
        setattr(target, field, getattr(source, field))


def set_todo_status(*, todo: Todo, actor: User, status: Status) -> Todo:
    """Set the status (never toggle it): pressing Done twice, or two people pressing it at
    once, leaves the todo DONE. Setting the status it already has changes nothing: no new
    version, no push, so it never turns someone's open edit form into a conflict.

    Raises TodoDeleted if the todo is gone."""
    require(actor, Action.SET_STATUS, todo)
    now = timezone.now()
    # Conditional on the status it does not have yet: of two presses, one changes it and
    # the other finds nothing to do.
    with transaction.atomic():
        changed = (
            Todo.objects.filter(pk=todo.pk)
            .exclude(status=status)
            .update(status=status, version=F("version") + 1, updated=now, updated_by=actor)
        )
        if changed:
            was = Status.OPEN if status == Status.DONE else Status.DONE
            record_field_changes(todo=todo, actor=actor, changes=[("status", was, status)])
    if not changed:
        current = Todo.objects.filter(pk=todo.pk).first()
        if current is None:
            raise TodoDeleted(f"Todo {todo.pk} was deleted.")
        todo.status, todo.version = current.status, current.version
        return todo
    todo.refresh_from_db(fields=["status", "version", "updated", "updated_by"])
    if status == Status.DONE:
        announce(
            todo,
            actor,
            NoticeKind.COMPLETED,
            f"{actor} completed “{todo.title}”.",
            event_type="todo_completed",
        )
    else:
        announce(
            todo,
            actor,
            NoticeKind.CHANGED,
            f"{actor} reopened “{todo.title}”.",
            event_type="todo_updated",
        )
    return todo


def delete_todo(*, todo: Todo, actor: User) -> None:
    """Raises NotAllowed unless `actor` owns the todo, TodoDeleted if it is gone already."""
    require(actor, Action.DELETE, todo)
    recipients = audience(todo)  # before the delete takes the shares
    with transaction.atomic():
        if not remove_todo(todo):
            raise TodoDeleted(f"Todo {todo.pk} was deleted.")
        announce(
            todo,
            actor,
            NoticeKind.CHANGED,
            f"{actor} deleted “{todo.title}”.",
            event_type="todo_deleted",
            audience=recipients,
        )


def remove_todo(todo: Todo) -> bool:
    """Delete a todo with everything it owns, its stored files included (after commit);
    False if it was gone already. No permission check and no push: for delete_todo and for
    the Django admin."""
    # Late import: todos.attachments imports this module.
    from todos.attachments import delete_attachment_objects_on_commit

    with transaction.atomic():
        # FOR UPDATE (not only the delete's own row lock): taken before the delete collects
        # the todo's notes, attachments and reminders, it waits for an insert under way
        # (which holds the todo's row lock, see lock_todo) and keeps later ones out, so the
        # collected rows are all there are and the final DELETE never finds one it missed.
        locked = Todo.objects.select_for_update().filter(pk=todo.pk).first()
        if locked is None:
            return False
        delete_attachment_objects_on_commit(locked)
        locked.delete()
    return True


def add_note(*, todo: Todo, author: User, text: str) -> Note:
    """Raises TodoDeleted if the todo is gone (or goes while this waits for its lock)."""
    require(author, Action.COMMENT, todo)
    note = Note(todo=todo, author=author, text=text)
    note.full_clean()
    with transaction.atomic():
        lock_todo(todo.pk)
        note.save()
        record_change(todo=todo, actor=author, kind=ChangeKind.NOTE, after=note.text)
    announce(
        todo,
        author,
        NoticeKind.COMMENTED,
        f"{author} added a note to “{todo.title}”.",
        event_type="note_added",
    )
    return note


# Roles that may be assigned, as `todos.assignees.assign` checks one person at a time.
ASSIGNABLE_ROLES = roles_allowing(Action.COMMENT)


def _assignments_of(user_id: int, target: Todo | TodoList) -> QuerySet[Any]:
    assigned = Todo.assignees.through.objects.filter(user_id=user_id)
    if isinstance(target, TodoList):
        return assigned.filter(todo__todo_list=target)
    return assigned.filter(todo=target)


def unassign_who_cannot_comment(assigned: QuerySet[Any], *, actor: User | None) -> int:
    """Of the assignments `assigned` (rows of `Todo.assignees.through`), delete those whose
    person can no longer comment on the todo (they lost access to it, or are only a Viewer
    now), each recorded in the todo's history as unassigned by `actor`; returns how many.
    Call it inside the transaction that changed the shares or the owner, after the change.

    One query finds and locks them, one deletes them and one inserts their history, however
    many todos (a list's share revoked): no query per todo."""
    may_comment = Share.objects.filter(
        Q(todo_id=OuterRef("todo_id")) | Q(todo_list_id=OuterRef("todo__todo_list_id")),
        user_id=OuterRef("user_id"),
        role__in=ASSIGNABLE_ROLES,
    )
    # Locked (FOR UPDATE OF the assignment rows only), so that what is recorded is exactly
    # what is deleted, even with someone unassigning one of them at the same moment.
    gone = list(
        assigned.exclude(user_id=F("todo__owner_id"))
        .exclude(Exists(may_comment))
        .select_for_update(of=("self",))
        .order_by("todo_id", "user_id")
        .values_list("pk", "todo_id", "user__display_name", "user__username")
    )
    if not gone:
        return 0
    Todo.assignees.through.objects.filter(pk__in=[pk for pk, *_ in gone]).delete()
    record_unassignments(
        actor=actor,
        unassigned=[(todo_id, name or username) for _, todo_id, name, username in gone],
    )
    return len(gone)


def set_share(
    *, target: Todo | TodoList, user: User, role: Role, actor: User | None = None
) -> Share:
    """Give `user` `role` on a list or a todo (replacing the role they had there). No
    permission check and no push: for the sharing services, which check and tell. On a
    todo, the change goes into its history (by `actor`, if given). Made a Viewer, `user` is
    unassigned from the todos they can no longer comment on (recorded in their history)."""
    if target.owner_id == user.pk:
        raise NotAllowed("The owner already has every right.")
    key = {"todo_list": target} if isinstance(target, TodoList) else {"todo": target}
    with transaction.atomic():
        before = Share.objects.filter(user=user, **key).values_list("role", flat=True).first()
        share, _ = Share.objects.update_or_create(user=user, **key, defaults={"role": role})
        if isinstance(target, Todo) and before != role:
            record_change(
                todo=target,
                actor=actor,
                kind=ChangeKind.SHARED,
                field=str(user),
                before=Role(before).label if before else "",
                after=Role(role).label,
            )
        if before != role and role not in ASSIGNABLE_ROLES:
            unassign_who_cannot_comment(_assignments_of(user.pk, target), actor=actor)
    forget_levels(target)
    return share


def remove_share(*, target: Todo | TodoList, user_id: int, actor: User | None = None) -> bool:
    """Take away the share `user_id` has on a list or a todo (not one reaching it through
    its list); False if there was none. Also unassigns them from todos they can no longer
    comment on. No permission check and no push; the history of each todo records it."""
    key = {"todo_list": target} if isinstance(target, TodoList) else {"todo": target}
    with transaction.atomic():
        removed = list(
            Share.objects.filter(user_id=user_id, **key).values_list(
                "role", "user__display_name", "user__username"
            )
        )
        deleted, _ = Share.objects.filter(user_id=user_id, **key).delete()
        if isinstance(target, Todo) and deleted and removed:
            role, display_name, username = removed[0]
            record_change(
                todo=target,
                actor=actor,
                kind=ChangeKind.SHARED,
                field=display_name or username,
                before=Role(role).label,
                after="",
            )
        forget_levels(target)
        if deleted:
            unassign_who_cannot_comment(_assignments_of(user_id, target), actor=actor)
    return bool(deleted)
