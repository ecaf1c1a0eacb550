"""Every change to a todo goes through these functions, whoever calls them."""

import datetime

from django.db import transaction

from accounts.models import User
from notifications.publishing import publish_on_commit, todo_event
from todos.models import Note, Status, Todo
from tracing.logs import bind_log_context
from tracing.metrics import count


class NotAllowed(Exception):
    """The user may see the todo but not do this to it."""


def people_to_tell(todo: Todo, actor: User) -> set[int]:
    """Ids of the owner and the collaborators, except whoever acted."""
    user_ids = {todo.owner_id, *todo.collaborators.values_list("pk", flat=True)}
    user_ids.discard(actor.pk)
    return user_ids


def create_todo(
    *, owner: User, title: str, description: str, priority: str, due_date: datetime.date | None
) -> Todo:
    todo = Todo(
        owner=owner, title=title, description=description, priority=priority, due_date=due_date
    )
    todo.full_clean()
    todo.save()
    bind_log_context(todo_id=todo.pk)
    count("TodosCreated")
    return todo


UPDATABLE_FIELDS = ("title", "description", "priority", "due_date", "status")


def update_todo(*, todo: Todo, actor: User, **changes: object) -> Todo:
    """Apply `changes` (any of UPDATABLE_FIELDS). Owner and collaborators may update."""
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"Cannot update {', '.join(sorted(unknown))}")
    was_done = todo.status == Status.DONE
    for field, value in changes.items():
        setattr(todo, field, value)
    todo.full_clean(exclude=["owner"])
    # update_fields: a concurrent edit of another field is not overwritten.
    todo.save(update_fields=[*changes, "updated"])
    if todo.status == Status.DONE and not was_done:
        event = todo_event(
            "todo_completed", todo=todo, actor=actor, text=f"{actor} completed “{todo.title}”."
        )
    else:
        event = todo_event(
            "todo_updated", todo=todo, actor=actor, text=f"{actor} updated “{todo.title}”."
        )
    publish_on_commit(people_to_tell(todo, actor), event)
    return todo


def set_todo_status(*, todo: Todo, actor: User, status: Status) -> Todo:
    """Set the status (never toggle it): pressing Done twice, or two people pressing it at
    once, leaves the todo DONE. Setting the status it already has changes nothing."""
    if todo.status == status:
        return todo
    return update_todo(todo=todo, actor=actor, status=status)


def delete_todo(*, todo: Todo, actor: User) -> None:
    if not todo.is_owned_by(actor):
        raise NotAllowed("Only the owner can delete this todo.")
    event = todo_event(
        "todo_deleted", todo=todo, actor=actor, text=f"{actor} deleted “{todo.title}”."
    )
    with transaction.atomic():
        publish_on_commit(people_to_tell(todo, actor), event)
        remove_todo(todo)


def remove_todo(todo: Todo) -> None:
    """Delete a todo with everything it owns, its stored files included (after commit).
    No permission check and no push: for delete_todo and for the Django admin."""
    # Late import: todos.attachments imports this module.
    from todos.attachments import delete_attachment_objects_on_commit

    with transaction.atomic():
        delete_attachment_objects_on_commit(todo)
        todo.delete()


def add_note(*, todo: Todo, author: User, text: str) -> Note:
    note = Note(todo=todo, author=author, text=text)
    note.full_clean()
    note.save()
    publish_on_commit(
        people_to_tell(todo, author),
        todo_event(
            "note_added", todo=todo, actor=author, text=f"{author} added a note to “{todo.title}”."
        ),
    )
    return note
