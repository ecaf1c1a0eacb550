"""Every change to who shares a todo goes through these functions: views, the worker and
commands all call them."""

from __future__ import annotations

import hmac
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from notifications.publishing import publish_on_commit, todo_event
from sharing.models import CollaborationRequest
from sharing.queue import QueueUnavailable, publish_requests
from todos.models import Todo
from todos.services import people_to_tell
from tracing.metrics import count

logger = logging.getLogger(__name__)

OUTBOX_BATCH = 100


class SharingError(Exception):
    """A share, withdrawal, leave or removal that is not allowed; the message says why."""


class InvalidInvitation(Exception):
    """A confirmation link that does not work for this user; `status` is the HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AlreadyCollaborating(InvalidInvitation):
    def __init__(self, todo_id: int) -> None:
        super().__init__("You already collaborate on this todo.", 200)
        self.todo_id = todo_id


def share_todo(*, owner: User, todo: Todo, collaborator: User) -> CollaborationRequest:
    """Invite `collaborator` to `todo`. The SQS message goes out after commit; if SQS is
    unreachable the request stays in the outbox and the worker sends it later."""
    if not todo.is_owned_by(owner):
        raise SharingError("Only the owner can share this todo.")
    if collaborator.pk == todo.owner_id:
        raise SharingError("You cannot share a todo with yourself.")
    if todo.collaborators.filter(pk=collaborator.pk).exists():
        raise SharingError(f"{collaborator} already collaborates on this todo.")
    try:
        with transaction.atomic():
            # Insert and let the unique constraint judge: no check-then-insert race.
            request = CollaborationRequest.objects.create(todo=todo, collaborator=collaborator)
            # robust: the share is committed; a surprise here is logged, and the outbox
            # (drained by the worker) still sends the message.
            transaction.on_commit(
                lambda: queue_unsent_requests(request_ids=[request.pk]), robust=True
            )
    except IntegrityError:
        raise SharingError(f"An invitation to {collaborator} is already pending.") from None
    count("SharesSent")
    return request


def queue_unsent_requests(*, request_ids: list[int] | None = None) -> int:
    """Send the SQS message of every request that has none yet (all, or those in
    `request_ids`); returns how many went out. Never raises for SQS trouble: the rows stay
    unsent and the next call (each worker loop makes one) tries again."""
    with transaction.atomic():
        # The row lock keeps the web process (right after commit) and the workers (draining
        # the outbox) from sending the same message twice.
        unsent = CollaborationRequest.objects.select_for_update(skip_locked=True).filter(
            queued_at=None
        )
        if request_ids is not None:
            unsent = unsent.filter(pk__in=request_ids)
        requests = list(unsent.order_by("created")[:OUTBOX_BATCH])
        if not requests:
            return 0
        try:
            accepted = publish_requests(requests)
        except QueueUnavailable as error:
            logger.warning("SQS unreachable; %d invitation(s) wait: %s", len(requests), error)
            return 0
        CollaborationRequest.objects.filter(pk__in=accepted).update(queued_at=timezone.now())
    return len(accepted)


def find_invitation(
    *, user: User, todo_id: int, collaborator_id: int, token: str
) -> CollaborationRequest:
    """The pending request behind a confirmation link, if it is this user's and the token is
    right; InvalidInvitation otherwise (the same message for a missing request and a wrong
    token, so the link reveals nothing)."""
    if user.pk != collaborator_id:
        raise InvalidInvitation(
            "This invitation is for another user. Log out and log in as the invited user.", 403
        )
    request = (
        CollaborationRequest.objects.select_related("todo", "todo__owner")
        .filter(todo_id=todo_id, collaborator_id=collaborator_id)
        .first()
    )
    if request is None:
        if Todo.collaborators.through.objects.filter(todo_id=todo_id, user_id=user.pk).exists():
            raise AlreadyCollaborating(todo_id)
        raise InvalidInvitation(_INVALID_LINK, 404)
    if not hmac.compare_digest(request.token.encode(), token.encode()):
        raise InvalidInvitation(_INVALID_LINK, 404)
    return request


_INVALID_LINK = (
    "This invitation link is not valid: it may have been withdrawn, or the link was cut short. "
    "Ask the owner of the todo to share it again."
)


def confirm_collaboration(*, user: User, todo_id: int, collaborator_id: int, token: str) -> Todo:
    """Make the invited user a collaborator and delete the request; tells the owner."""
    request = find_invitation(
        user=user, todo_id=todo_id, collaborator_id=collaborator_id, token=token
    )
    with transaction.atomic():
        # Two confirmations at once (a double click): only the one that deletes the row wins.
        deleted, _ = CollaborationRequest.objects.filter(pk=request.pk).delete()
        if not deleted:
            raise AlreadyCollaborating(todo_id)
        return _accept(request)


def _accept(request: CollaborationRequest) -> Todo:
    todo, collaborator = request.todo, request.collaborator
    todo.collaborators.add(collaborator)
    publish_on_commit(
        people_to_tell(todo, collaborator),
        todo_event(
            "collaboration_confirmed",
            todo=todo,
            actor=collaborator,
            text=f"{collaborator} now collaborates on “{todo.title}”.",
        ),
    )
    count("CollaborationsConfirmed")
    return todo


def auto_confirm(request: CollaborationRequest) -> None:
    """Demos only (SHARING_AUTO_CONFIRM): accept on the invited user's behalf."""
    with transaction.atomic():
        deleted, _ = CollaborationRequest.objects.filter(pk=request.pk).delete()
        if deleted:
            _accept(request)


def withdraw_request(*, owner: User, todo: Todo, collaborator_id: int) -> User:
    """Delete a pending invitation; returns whom it was for."""
    if not todo.is_owned_by(owner):
        raise SharingError("Only the owner can withdraw an invitation.")
    request = (
        CollaborationRequest.objects.select_related("collaborator")
        .filter(todo=todo, collaborator_id=collaborator_id)
        .first()
    )
    if request is None:
        raise SharingError("There is no pending invitation for that user.")
    request.delete()
    return request.collaborator


def leave_todo(*, user: User, todo: Todo) -> None:
    if todo.is_owned_by(user):
        raise SharingError("You own this todo, so you cannot leave it.")
    with transaction.atomic():
        todo.collaborators.remove(user)
        publish_on_commit(
            people_to_tell(todo, user),
            todo_event(
                "collaborator_left",
                todo=todo,
                actor=user,
                text=f"{user} has left “{todo.title}”.",
            ),
        )


def remove_collaborator(*, owner: User, todo: Todo, collaborator_id: int) -> User:
    """Take a collaborator off the todo; returns who it was."""
    if not todo.is_owned_by(owner):
        raise SharingError("Only the owner can remove a collaborator.")
    collaborator = todo.collaborators.filter(pk=collaborator_id).first()
    if collaborator is None:
        raise SharingError("That user does not collaborate on this todo.")
    with transaction.atomic():
        todo.collaborators.remove(collaborator)
        publish_on_commit(
            [collaborator.pk],
            todo_event(
                "collaborator_removed",
                todo=todo,
                actor=owner,
                text=f"{owner} has removed you from “{todo.title}”.",
            ),
        )
        publish_on_commit(
            people_to_tell(todo, owner),
            todo_event(
                "collaborator_removed",
                todo=todo,
                actor=owner,
                text=f"{owner} has removed {collaborator} from “{todo.title}”.",
            ),
        )
    return collaborator
