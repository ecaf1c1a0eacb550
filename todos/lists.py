"""Every change to a list, and every move of a todo between lists, goes through these
functions, whoever calls them. Each asks todos.permissions first."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from notifications.publishing import Event, list_event, publish_on_commit, todo_event
from todos.history import record_change
from todos.models import ChangeKind, Todo, TodoList
from todos.permissions import Action, NotAllowed, audience, list_audience, require

NAME_MAX_LENGTH = TodoList._meta.get_field("name").max_length or 100


class ListGone(Exception):
    """The list was deleted while this request was working on it."""


class BadListName(ValueError):
    """The name is empty, too long or taken; the message says which, for the page."""


def clean_list_name(owner_id: int, name: str, *, exclude_pk: int | None = None) -> str:
    name = name.replace("\x00", "").strip()
    if not name:
        raise BadListName("A list needs a name.")
    if len(name) > NAME_MAX_LENGTH:
        raise BadListName(f"A list's name can be at most {NAME_MAX_LENGTH} characters long.")
    taken = TodoList.objects.filter(owner_id=owner_id).annotate(lower=Lower("name"))
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.filter(lower=name.lower()).exists():
        raise BadListName(f"There is already a list named “{name}”.")
    return name


def _tell_list(todo_list: TodoList, actor: User, event: Event) -> None:
    publish_on_commit(list_audience(todo_list) - {actor.pk}, event)


def create_list(*, actor: User, name: str) -> TodoList:
    """A new list of the actor's, placed after their others."""
    with transaction.atomic():
        name = clean_list_name(actor.pk, name)
        last = TodoList.objects.filter(owner=actor).aggregate(last=Max("position"))["last"]
        return TodoList.objects.create(
            owner=actor, name=name, position=0 if last is None else last + 1
        )


def _locked(todo_list: TodoList) -> TodoList:
    locked = TodoList.objects.select_for_update().filter(pk=todo_list.pk).first()
    if locked is None:
        raise ListGone(f"List {todo_list.pk} was deleted.")
    return locked


def rename_list(*, actor: User, todo_list: TodoList, name: str) -> TodoList:
    """Owner and Editors. The Inbox may be renamed: it stays the default list."""
    require(actor, Action.EDIT, todo_list)
    with transaction.atomic():
        locked = _locked(todo_list)
        name = clean_list_name(locked.owner_id, name, exclude_pk=locked.pk)
        if name == locked.name:
            return locked
        old = locked.name
        locked.name = name
        locked.save(update_fields=["name", "updated"])
        _tell_list(
            locked,
            actor,
            list_event(
                "list_renamed", todo_list=locked, actor=actor, text=f"{actor} renamed “{old}”."
            ),
        )
    todo_list.name = locked.name
    return todo_list


def set_list_archived(*, actor: User, todo_list: TodoList, archived: bool) -> TodoList:
    """Owner and Editors. The Inbox cannot be archived. An archived list's todos leave the
    dashboard's default view (its own page, and the dashboard's list filter, still show
    them)."""
    require(actor, Action.EDIT, todo_list)
    if archived and todo_list.is_inbox:
        raise NotAllowed("The Inbox cannot be archived.")
    with transaction.atomic():
        locked = _locked(todo_list)
        if locked.archived != archived:
            locked.archived = archived
            locked.save(update_fields=["archived", "updated"])
            word = "archived" if archived else "unarchived"
            _tell_list(
                locked,
                actor,
                list_event(
                    f"list_{word}",
                    todo_list=locked,
                    actor=actor,
                    text=f"{actor} {word} “{locked.name}”.",
                ),
            )
    todo_list.archived = archived
    return todo_list


def delete_list(*, actor: User, todo_list: TodoList) -> None:
    """Only the owner; never the Inbox. Deletes the list's todos with it (their stored files
    after commit). Raises ListGone if it is gone already."""
    # Late import: todos.attachments imports todos.services, which imports this module's
    # neighbours.
    from todos.attachments import delete_attachment_objects_on_commit

    require(actor, Action.DELETE, todo_list)
    if todo_list.is_inbox:
        raise NotAllowed("The Inbox cannot be deleted.")
    recipients = list_audience(todo_list) - {actor.pk}  # before the delete takes the shares
    event = list_event(
        "list_deleted",
        todo_list=todo_list,
        actor=actor,
        text=f"{actor} deleted the list “{todo_list.name}”.",
    )
    with transaction.atomic():
        locked = _locked(todo_list)
        # Each todo's row lock, as remove_todo takes it: an insert under a todo (a note, a
        # file) holding it finishes first, and none starts after.
        todos = list(Todo.objects.select_for_update().filter(todo_list=locked).order_by("pk"))
        for todo in todos:
            delete_attachment_objects_on_commit(todo)
        locked.delete()
        publish_on_commit(recipients, event)


def arrange_list(*, actor: User, todo_list: TodoList, direction: str) -> None:
    """Move one of the actor's lists one place "up" or "down" among their lists of the same
    kind (active or archived); the first stays first, the last last."""
    if direction not in ("up", "down"):
        raise ValueError("direction must be up or down")
    require(actor, Action.ARRANGE, todo_list)
    with transaction.atomic():
        lists = list(
            TodoList.objects.select_for_update()
            .filter(owner_id=todo_list.owner_id)
            .order_by("archived", "position", "pk")
        )
        index = next((i for i, each in enumerate(lists) if each.pk == todo_list.pk), None)
        if index is None:
            raise ListGone(f"List {todo_list.pk} was deleted.")
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(lists) and lists[other].archived == lists[index].archived:
            lists[index], lists[other] = lists[other], lists[index]
        # Positions renumbered 0…n-1: lists made before ordering existed all hold 0.
        changed = []
        for position, each in enumerate(lists):
            if each.position != position:
                each.position = position
                changed.append(each)
        TodoList.objects.bulk_update(changed, ["position"])


def move_todo(*, actor: User, todo: Todo, to_list: TodoList) -> Todo:
    """Only the owner, and only to another of the owner's lists (a todo changes owner only
    with its list). Everyone who could see it in its old list, or can in its new one, is
    told. Assignees who can no longer see it are unassigned."""
    from todos.services import TodoDeleted, unassign_who_cannot_comment

    require(actor, Action.MOVE, todo)
    if to_list.owner_id != todo.owner_id:
        raise NotAllowed("A todo can only move to another of its owner's lists.")
    if to_list.pk == todo.todo_list_id:
        return todo
    before = audience(todo)
    old_name = TodoList.objects.filter(pk=todo.todo_list_id).values_list("name", flat=True).first()
    with transaction.atomic():
        if not TodoList.objects.filter(pk=to_list.pk).select_for_update().exists():
            raise ListGone(f"List {to_list.pk} was deleted.")
        now = timezone.now()
        if not Todo.objects.filter(pk=todo.pk).update(
            todo_list=to_list, version=F("version") + 1, updated=now, updated_by=actor
        ):
            raise TodoDeleted(f"Todo {todo.pk} was deleted.")
        todo.refresh_from_db(fields=["todo_list", "version", "updated", "updated_by"])
        record_change(
            todo=todo,
            actor=actor,
            kind=ChangeKind.MOVED,
            field="todo_list",
            before=old_name or "",
            after=to_list.name,
        )
        after = audience(todo)
        unassign_who_cannot_comment(
            Todo.assignees.through.objects.filter(todo_id=todo.pk), actor=actor
        )
        publish_on_commit(
            (before | after) - {actor.pk},
            todo_event(
                "todo_moved",
                todo=todo,
                actor=actor,
                text=f"{actor} moved “{todo.title}” to “{to_list.name}”.",
            ),
        )
    return todo
