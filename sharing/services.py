"""Every change to who shares a todo goes through these functions: views, the worker and
commands all call them."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from notifications.publishing import list_event, publish_on_commit, todo_event
from sharing.models import CollaborationRequest, hash_token, new_token
from sharing.queue import QueueUnavailable, SharingMessage, publish_messages
from todos.models import Role, Share, Todo, TodoList
from todos.permissions import Action, Level, audience, can, forget_levels, level_of
from todos.services import (
    lock_todo,
    people_to_tell,
    remove_share,
    set_share,
    unassign_who_cannot_comment,
)
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
    def __init__(self, target: Todo | TodoList) -> None:
        super().__init__(f"You already collaborate on this {_thing(target)}.", 200)
        self.target = target

    @property
    def todo_id(self) -> int | None:
        return self.target.pk if isinstance(self.target, Todo) else None


OUTBOX_CHANNEL = "sharing_outbox"

Target = Todo | TodoList


def _thing(target: Todo | TodoList) -> str:
    return "todo" if isinstance(target, Todo) else "list"


def _target_key(target: Todo | TodoList) -> dict[str, Todo | TodoList]:
    return {"todo": target} if isinstance(target, Todo) else {"todo_list": target}


def _check_role(role: str) -> Role:
    if role not in Role.values:
        raise SharingError("Choose a role: Viewer, Commenter or Editor.")
    return Role(role)


def share_todo(
    *, owner: User, todo: Todo, collaborator: User, role: Role = Role.EDITOR
) -> CollaborationRequest:
    """`invite` a user to one todo (the older name, kept for its callers)."""
    return invite(actor=owner, target=todo, collaborator=collaborator, role=role)


def invite(
    *,
    actor: User,
    target: Todo | TodoList,
    collaborator: User | None = None,
    email: str = "",
    role: str = Role.EDITOR,
) -> CollaborationRequest:
    """Invite `collaborator` (or, for nobody with an account, the address `email`) to a todo
    or a list as `role`: commits the invitation row and returns. Nothing here talks to AWS:
    the worker's outbox relay publishes the SQS message (PostgreSQL wakes it with NOTIFY
    when this transaction commits)."""
    thing = _thing(target)
    if not can(actor, Action.SHARE, target):
        raise SharingError(f"Only the owner can share this {thing}.")
    role = _check_role(role)
    if collaborator is None and not email:
        raise SharingError("Name someone to share with: a username or an email address.")
    if collaborator is not None:
        email = ""
        if collaborator.pk == target.owner_id:
            raise SharingError(f"You cannot share a {thing} with yourself.")
        if Share.objects.filter(user=collaborator, **_target_key(target)).exists():
            raise SharingError(f"{collaborator} already collaborates on this {thing}.")
    email = email.strip().lower()
    fields = {"collaborator": collaborator, "email": email, "role": role, "invited_by": actor}
    try:
        request = _insert_request(target, fields)
    except IntegrityError:
        # An expired invitation makes way for the new one; a live one stays.
        who = {"collaborator": collaborator} if collaborator else {"collaborator": None}
        expired = (
            CollaborationRequest.objects.filter(
                accepted_at=None, created__lt=_expiry_cutoff(), **who, **_target_key(target)
            )
            .filter(email=email)
            .delete()[0]
        )
        try:
            if not expired:
                raise
            request = _insert_request(target, fields)
        except IntegrityError:
            invitee = collaborator or email
            raise AlreadyPending(f"An invitation to {invitee} is already pending.") from None
    count("SharesSent")
    return request


def _insert_request(target: Todo | TodoList, fields: dict[str, Any]) -> CollaborationRequest:
    """Insert and let the unique constraint judge: no check-then-insert race. In autocommit
    mode, two statements and no BEGIN/COMMIT (the NOTIFY right after the row is committed;
    if it never goes out, the relay's poll finds the row anyway); inside a caller's
    transaction, a savepoint, so that a collision does not spoil it."""
    if connection.in_atomic_block:
        with transaction.atomic():
            request = CollaborationRequest.objects.create(**_target_key(target), **fields)
    else:
        request = CollaborationRequest.objects.create(**_target_key(target), **fields)
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
            .filter(emailed_at=None, accepted_at=None, created__gte=_expiry_cutoff())
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
    """The invitation behind a confirmation link of the older form (a todo and a user), if
    it is this user's and the token is right; InvalidInvitation otherwise."""
    if user.pk != collaborator_id:
        raise InvalidInvitation(
            "This invitation is for another user. Log out and log in as the invited user.", 403
        )
    # The open invitation if there is one, else the latest accepted one (an old link).
    request_id = (
        CollaborationRequest.objects.filter(todo_id=todo_id, collaborator_id=collaborator_id)
        .order_by(F("accepted_at").desc(nulls_first=True), "-created")
        .values_list("pk", flat=True)
        .first()
    )
    if request_id is None:
        todo = Todo.objects.filter(pk=todo_id).first()
        if todo is not None and Share.objects.filter(todo=todo, user_id=user.pk).exists():
            raise AlreadyCollaborating(todo)
        raise InvalidInvitation(_INVALID_LINK, 404)
    return find_invitation_by_id(user=user, invitation_id=request_id, token=token)


def read_invitation(*, invitation_id: int, token: str) -> CollaborationRequest:
    """The invitation behind a link, for anyone holding the link (the page a visitor without
    an account sees, and registration): right token, not accepted, not expired."""
    request = (
        CollaborationRequest.objects.select_related(
            "todo", "todo__owner", "todo_list", "todo_list__owner", "collaborator", "invited_by"
        )
        .filter(pk=invitation_id)
        .first()
    )
    if request is None or not request.token_matches(token):
        raise InvalidInvitation(_INVALID_LINK, 404)
    if request.accepted_at is not None:
        raise InvalidInvitation(_ACCEPTED_LINK, 410)
    if request.created < _expiry_cutoff():
        raise InvalidInvitation(_EXPIRED_LINK, 410)
    return request


def find_invitation_by_id(*, user: User, invitation_id: int, token: str) -> CollaborationRequest:
    """The invitation behind a confirmation link, if `user` may accept it: the invited user,
    or for an invitation to an address, the user with that address. InvalidInvitation
    otherwise (the same message for a missing invitation and a wrong token, so the link
    reveals nothing)."""
    try:
        request = read_invitation(invitation_id=invitation_id, token=token)
    except InvalidInvitation as error:
        if error.status != 410:
            raise
        request = CollaborationRequest.objects.get(pk=invitation_id)
        if request.accepted_at is not None and _is_invitee(request, user):
            target = request.target
            if can(user, Action.VIEW, target):
                raise AlreadyCollaborating(target) from None
            # A removed user's old link: it was used once, and does not work again.
            raise InvalidInvitation(_USED_LINK, 410) from None
        raise
    if not _is_invitee(request, user):
        if request.collaborator_id is not None:
            raise InvalidInvitation(
                "This invitation is for another user. Log out and log in as the invited user.",
                403,
            )
        raise InvalidInvitation(
            f"This invitation was sent to {request.email}. Log in with the account of that "
            "address (or register with it).",
            403,
        )
    return request


def _is_invitee(request: CollaborationRequest, user: User) -> bool:
    if request.collaborator_id is not None:
        return bool(request.collaborator_id == user.pk)
    return bool(user.email) and user.email.lower() == request.email


_INVALID_LINK = (
    "This invitation link is not valid: it may have been withdrawn, or the link was cut short. "
    "Ask the owner to share it again."
)
_EXPIRED_LINK = (
    "This invitation has expired: invitations are valid for a limited time. "
    "Ask the owner to share it again."
)
_ACCEPTED_LINK = "This invitation was accepted already: a link works once."
_USED_LINK = (
    "This invitation was accepted already, and the share it made has since ended. "
    "Ask the owner to share it again."
)


def confirm_collaboration(*, user: User, todo_id: int, collaborator_id: int, token: str) -> Todo:
    """Accept the invitation behind a link of the older form (to a todo)."""
    request = find_invitation(
        user=user, todo_id=todo_id, collaborator_id=collaborator_id, token=token
    )
    target = accept_invitation(user=user, invitation_id=request.pk, token=token)
    assert isinstance(target, Todo)
    return target


def accept_invitation(*, user: User, invitation_id: int, token: str) -> Todo | TodoList:
    """Give the invited user the invitation's role on its list or todo, and mark the
    invitation accepted (it stays, for the owner's list of invitations); tells everyone who
    can see the target. Returns the target."""
    request = find_invitation_by_id(user=user, invitation_id=invitation_id, token=token)
    with transaction.atomic():
        # Two confirmations at once (a double click): only the one that marks it wins.
        won = CollaborationRequest.objects.filter(pk=request.pk, accepted_at=None).update(
            accepted_at=timezone.now(), collaborator=user
        )
        if not won:
            raise AlreadyCollaborating(request.target)
        request.collaborator = user
        return _accept(request)


def _accept(request: CollaborationRequest) -> Todo | TodoList:
    target, collaborator = request.target, request.collaborator
    assert collaborator is not None
    if Share.objects.filter(user=collaborator, **_target_key(target)).exists():
        # Shared meanwhile (another invitation): the role set since then stands.
        return target
    set_share(target=target, user=collaborator, role=Role(request.role), actor=collaborator)
    text = f"{collaborator} now collaborates on “{target}” as {Role(request.role).label}."
    for todo, audience_ids in _todos_and_audiences(target):
        publish_on_commit(
            audience_ids - {collaborator.pk},
            todo_event("collaboration_confirmed", todo=todo, actor=collaborator, text=text),
        )
    count("CollaborationsConfirmed")
    return target


def _todos_and_audiences(target: Todo | TodoList) -> list[tuple[Todo, set[int]]]:
    """Whom to tell about a change of who shares `target`: for a todo, everyone who can
    see it; for a list, one event naming its first todo (a page refreshes on any event),
    to everyone who can see the list."""
    if isinstance(target, Todo):
        return [(target, audience(target))]
    first = target.todos.order_by("pk").first()
    if first is None:
        return []
    people = {
        target.owner_id,
        *Share.objects.filter(todo_list=target).values_list("user_id", flat=True),
    }
    return [(first, people)]


def auto_confirm(request: CollaborationRequest) -> None:
    """Demos only (SHARING_AUTO_CONFIRM): accept on the invited user's behalf."""
    if request.collaborator_id is None:
        return  # nobody to accept for until someone registers
    with transaction.atomic():
        if CollaborationRequest.objects.filter(pk=request.pk, accepted_at=None).update(
            accepted_at=timezone.now()
        ):
            _accept(request)


def _open_invitation(actor: User, invitation_id: int) -> CollaborationRequest:
    request = (
        CollaborationRequest.objects.select_related("collaborator", "todo", "todo_list")
        .filter(pk=invitation_id)
        .first()
    )
    if request is None or not can(actor, Action.VIEW, request.target):
        raise SharingError("There is no such invitation.")
    if not can(actor, Action.SHARE, request.target):
        raise SharingError(
            f"Only the owner can manage the invitations of this {_thing(request.target)}."
        )
    return request


def withdraw_invitation(*, actor: User, invitation_id: int) -> CollaborationRequest:
    """Delete an invitation that was not accepted (its link stops working); returns it."""
    request = _open_invitation(actor, invitation_id)
    if request.accepted_at is not None:
        raise SharingError(
            f"{request.invitee} accepted this invitation already; revoke their access instead."
        )
    request.delete()
    return request


def withdraw_request(*, owner: User, todo: Todo, collaborator_id: int) -> User:
    """Withdraw the open invitation of a user to a todo; returns whom it was for."""
    if not can(owner, Action.SHARE, todo):
        raise SharingError("Only the owner can withdraw an invitation.")
    request = (
        CollaborationRequest.objects.select_related("collaborator")
        .filter(todo=todo, collaborator_id=collaborator_id, accepted_at=None)
        .first()
    )
    if request is None or request.collaborator is None:
        raise SharingError("There is no pending invitation for that user.")
    withdraw_invitation(actor=owner, invitation_id=request.pk)
    return request.collaborator


def resend_invitation(*, actor: User, invitation_id: int) -> CollaborationRequest:
    """Send an invitation again, pending or expired, with a new link (the old one stops
    working) and a fresh `INVITATION_TTL_DAYS`: the relay publishes it as a new one."""
    request = _open_invitation(actor, invitation_id)
    if request.accepted_at is not None:
        raise SharingError(f"{request.invitee} accepted this invitation already.")
    CollaborationRequest.objects.filter(pk=request.pk, accepted_at=None).update(
        created=timezone.now(),
        token_hash="",
        queued_at=None,
        email_claimed_at=None,
        emailed_at=None,
    )
    _wake_relay()
    count("InvitationsResent")
    return request


def change_role(*, actor: User, target: Todo | TodoList, user_id: int, role: str) -> Share:
    """Give someone who shares `target` another role there; takes effect at once (their open
    pages are told to fetch what they may now do)."""
    thing = _thing(target)
    if not can(actor, Action.SHARE, target):
        raise SharingError(f"Only the owner can change roles on this {thing}.")
    new_role = _check_role(role)
    if user_id == target.owner_id:
        raise SharingError(
            f"The owner's role cannot be changed: the owner can do everything with this {thing}."
        )
    with transaction.atomic():
        share = (
            Share.objects.select_for_update()
            .select_related("user")
            .filter(user_id=user_id, **_target_key(target))
            .first()
        )
        if share is None:
            raise SharingError(f"That person has no role on this {thing}.")
        if share.role != new_role:
            share = set_share(target=target, user=share.user, role=new_role, actor=actor)
            _tell_access_changed(
                target,
                share.user,
                actor,
                f"{actor} made you {new_role.label} of “{target}”.",
            )
    count("RolesChanged")
    return share


def revoke_access(*, actor: User, target: Todo | TodoList, user_id: int) -> User:
    """Take away someone's share of `target`; their open pages stop at once."""
    thing = _thing(target)
    if not can(actor, Action.SHARE, target):
        raise SharingError(f"Only the owner can remove people from this {thing}.")
    if user_id == target.owner_id:
        raise SharingError(f"The owner cannot be removed from their own {thing}.")
    share = (
        Share.objects.select_related("user").filter(user_id=user_id, **_target_key(target)).first()
    )
    if share is None:
        raise SharingError(f"That person has no role on this {thing}.")
    with transaction.atomic():
        remove_share(target=target, user_id=user_id, actor=actor)
        _tell_access_changed(target, share.user, actor, f"{actor} has removed you from “{target}”.")
        for todo, people in _todos_and_audiences(target):
            publish_on_commit(
                people - {actor.pk},
                todo_event(
                    "collaborator_removed",
                    todo=todo,
                    actor=actor,
                    text=f"{actor} has removed {share.user} from “{target}”.",
                ),
            )
    return share.user


def _tell_access_changed(target: Todo | TodoList, user: User, actor: User, text: str) -> None:
    """`access_changed` to the user whose rights changed: each open page of theirs fetches
    its parts again (forms appear or go; a 404 says the thing is no longer shared)."""
    event = (
        todo_event("access_changed", todo=target, actor=actor, text=text)
        if isinstance(target, Todo)
        else list_event("access_changed", todo_list=target, actor=actor, text=text)
    )
    publish_on_commit([user.pk], event)


def leave_todo(*, user: User, todo: Todo) -> None:
    if todo.is_owned_by(user):
        raise SharingError("You own this todo, so you cannot leave it.")
    with transaction.atomic():
        if not remove_share(target=todo, user_id=user.pk, actor=user):
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
    if not Share.objects.filter(todo=todo, user_id=collaborator_id).exists():
        raise SharingError("That user does not collaborate on this todo.")
    return revoke_access(actor=owner, target=todo, user_id=collaborator_id)


def transfer_todo(*, actor: User, todo: Todo, new_owner_id: int) -> User:
    """Hand the todo to one of its Editors: it moves to their Inbox, and the old owner
    keeps it as its Editor. People who saw it only through its old list no longer do
    (their assignments go with it). Returns the new owner."""
    if not can(actor, Action.TRANSFER, todo):
        raise SharingError("Only the owner can hand over this todo.")
    new_owner = User.objects.filter(pk=new_owner_id, is_active=True).first()
    if new_owner is None or new_owner.pk == todo.owner_id:
        raise SharingError("Choose an Editor of this todo to hand it over to.")
    forget_levels(todo)
    if level_of(new_owner, todo) != Level.EDITOR:
        raise SharingError(f"{new_owner} is not an Editor of this todo; make them one first.")
    old_owner_id = todo.owner_id
    before = audience(todo)
    inbox = TodoList.objects.inbox_for(new_owner.pk)
    with transaction.atomic():
        locked = lock_todo(todo.pk)
        if locked.owner_id != old_owner_id:
            raise SharingError("This todo changed hands meanwhile.")
        Todo.objects.filter(pk=todo.pk).update(
            owner=new_owner, todo_list=inbox, version=F("version") + 1, updated_by=actor
        )
        Share.objects.filter(todo=todo, user=new_owner).delete()
        Share.objects.update_or_create(
            todo=todo, user_id=old_owner_id, defaults={"role": Role.EDITOR}
        )
        todo.refresh_from_db()
        forget_levels(todo)
        after = audience(todo)
        unassign_who_cannot_comment(
            Todo.assignees.through.objects.filter(todo_id=todo.pk), actor=actor
        )
        text = f"{actor} handed “{todo.title}” over to {new_owner}."
        publish_on_commit(
            before | after, todo_event("access_changed", todo=todo, actor=actor, text=text)
        )
    count("TodosTransferred")
    return new_owner
