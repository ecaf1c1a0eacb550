"""Every change to who shares a todo goes through these functions: views, the worker and
commands all call them."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from notifications.publishing import publish_on_commit, todo_event
from sharing.models import CollaborationRequest, hash_token, new_token
from sharing.queue import QueueUnavailable, SharingMessage, publish_messages
from todos.models import Role, Share, Todo
from todos.permissions import Action, can
from todos.services import people_to_tell, remove_share, set_share
from tracing.metrics import count

logger = logging.getLogger(__name__)

OUTBOX_BATCH = 10  # one SQS SendMessageBatch


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


OUTBOX_CHANNEL = "sharing_outbox"


def share_todo(
    *, owner: User, todo: Todo, collaborator: User, role: Role = Role.EDITOR
) -> CollaborationRequest:
    """Invite `collaborator` to `todo` as `role`: commits the invitation row and returns.
    Nothing here talks to AWS: the worker's outbox relay publishes the SQS message
    (PostgreSQL wakes it with NOTIFY when this transaction commits)."""
    if not can(owner, Action.SHARE, todo):
        raise SharingError("Only the owner can share this todo.")
    if collaborator.pk == todo.owner_id:
        raise SharingError("You cannot share a todo with yourself.")
    if role not in Role.values:
        raise SharingError("Choose Viewer, Commenter or Editor.")
    if Share.objects.filter(todo=todo, user=collaborator).exists():
        raise SharingError(f"{collaborator} already collaborates on this todo.")
    try:
        request = _insert_request(todo, collaborator, role)
    except IntegrityError:
        # An expired invitation makes way for the new one; a live one stays.
        expired = CollaborationRequest.objects.filter(
            todo=todo, collaborator=collaborator, created__lt=_expiry_cutoff()
        ).delete()[0]
        try:
            if not expired:
                raise
            request = _insert_request(todo, collaborator, role)
        except IntegrityError:
            raise AlreadyPending(f"An invitation to {collaborator} is already pending.") from None
    count("SharesSent")
    return request


def _insert_request(todo: Todo, collaborator: User, role: Role) -> CollaborationRequest:
    """Insert and let the unique constraint judge: no check-then-insert race. In autocommit
    mode, two statements and no BEGIN/COMMIT (the NOTIFY right after the row is committed;
    if it never goes out, the relay's poll finds the row anyway); inside a caller's
    transaction, a savepoint, so that a collision does not spoil it."""
    if connection.in_atomic_block:
        with transaction.atomic():
            request = CollaborationRequest.objects.create(
                todo=todo, collaborator=collaborator, role=role
            )
    else:
        request = CollaborationRequest.objects.create(
            todo=todo, collaborator=collaborator, role=role
        )
    _wake_relay()
    return request


class AlreadyPending(SharingError):
    pass


class PublishWindowFull(Exception):
    """SHARING_PUBLISH_AHEAD messages are out and not yet emailed; publish again soon."""


def _wake_relay() -> None:
    """NOTIFY is transactional: inside a transaction the relay hears it on commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [OUTBOX_CHANNEL])


def invitation_ttl() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_TTL_DAYS)


def _expiry_cutoff() -> datetime.datetime:
    return timezone.now() - invitation_ttl()


def publish_outbox(*, limit: int = OUTBOX_BATCH) -> int:
    """Publish the SQS message of up to `limit` invitations that need one: never published,
    or published `SHARING_RESEND_AFTER_SECONDS` ago and still not emailed (a message lost to
    the DLQ or a crash). Returns how many SQS took; raises QueueUnavailable if it took none
    of them (the rows are released for the next call).

    Each publish issues a fresh token: only its hash is stored, the clear token goes in the
    message. A message of an earlier publish then no longer matches and the worker deletes
    it. Rows are claimed (queued_at set, token rotated) and committed before SQS is called:
    no transaction or row lock is held across the network call."""
    now = timezone.now()
    resend_before = now - datetime.timedelta(seconds=settings.SHARING_RESEND_AFTER_SECONDS)
    claim_expired = now - datetime.timedelta(seconds=settings.SHARING_CLAIM_TIMEOUT_SECONDS)
    # Flow control: no more than SHARING_PUBLISH_AHEAD messages out and not yet emailed. The
    # rest wait here rather than in a long queue, where a share made now would wait behind
    # them all the same, and a long queue only costs more to receive from.
    ahead = CollaborationRequest.objects.filter(
        emailed_at=None, queued_at__gte=resend_before
    ).count()
    limit = min(limit, settings.SHARING_PUBLISH_AHEAD - ahead)
    if limit <= 0:
        raise PublishWindowFull
    with transaction.atomic():
        due = list(
            CollaborationRequest.objects.select_for_update(skip_locked=True)
            .filter(emailed_at=None, created__gte=_expiry_cutoff())
            .filter(Q(queued_at=None) | Q(queued_at__lt=resend_before))
            # A worker mid-send holds the current token; rotating it now would email a
            # link that no longer works.
            .filter(Q(email_claimed_at=None) | Q(email_claimed_at__lt=claim_expired))
            .order_by("created")[:limit]
        )
        if not due:
            return 0
        resent = sum(request.queued_at is not None for request in due)
        messages = []
        for request in due:
            token = new_token()
            request.token_hash, request.queued_at = hash_token(token), now
            messages.append(SharingMessage.for_request(request, token))
        CollaborationRequest.objects.bulk_update(due, ["token_hash", "queued_at"])
    if resent:
        logger.info("publishing %d invitation(s) again: not emailed in time", resent)
        count("InvitationsRepublished", resent)
    try:
        accepted = set(publish_messages(messages))
    except QueueUnavailable:
        accepted = set()
    failed = [request.pk for request in due if request.pk not in accepted]
    if failed:
        # Released for the next call; `queued_at=now` makes sure it is still our claim.
        CollaborationRequest.objects.filter(pk__in=failed, queued_at=now).update(queued_at=None)
    if not accepted:
        raise QueueUnavailable(f"SQS took none of {len(due)} invitation message(s)")
    return len(accepted)


def issue_token(request: CollaborationRequest) -> str:
    """A new confirmation token for `request` (the old one stops working); for the relay's
    callers in tests and for admin tooling. The request must exist."""
    token = new_token()
    CollaborationRequest.objects.filter(pk=request.pk).update(token_hash=hash_token(token))
    request.token_hash = hash_token(token)
    return token


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
        if Share.objects.filter(todo_id=todo_id, user_id=user.pk).exists():
            raise AlreadyCollaborating(todo_id)
        raise InvalidInvitation(_INVALID_LINK, 404)
    if not request.token_matches(token):
        raise InvalidInvitation(_INVALID_LINK, 404)
    if request.created < _expiry_cutoff():
        raise InvalidInvitation(_EXPIRED_LINK, 410)
    return request


_INVALID_LINK = (
    "This invitation link is not valid: it may have been withdrawn, or the link was cut short. "
    "Ask the owner of the todo to share it again."
)
_EXPIRED_LINK = (
    "This invitation has expired: invitations are valid for a limited time. "
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
    set_share(target=todo, user=collaborator, role=Role(request.role))
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
    if not can(owner, Action.SHARE, todo):
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
        if not remove_share(target=todo, user_id=user.pk):
            raise SharingError("This todo is shared with you through its list; leave the list.")
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
    if not can(owner, Action.SHARE, todo):
        raise SharingError("Only the owner can remove a collaborator.")
    share = Share.objects.select_related("user").filter(todo=todo, user_id=collaborator_id).first()
    if share is None:
        raise SharingError("That user does not collaborate on this todo.")
    collaborator = share.user
    with transaction.atomic():
        remove_share(target=todo, user_id=collaborator.pk)
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
