"""Reads for the sharing parts of pages, scoped to what the given user may see."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from sharing.models import CollaborationRequest
from sharing.services import invitation_ttl
from todos.models import Share, Todo

SUGGESTIONS_MIN_LENGTH = 2
SUGGESTIONS_LIMIT = 10


@dataclass(frozen=True)
class PendingInvitation:
    todo_id: int
    user_id: int
    name: str
    emailed: bool
    expired: bool  # its link no longer works; sharing again sends a fresh one


def _name(display_name: str, username: str) -> str:
    return display_name or username  # as User.__str__


def pending_invitations(owner: User, todo_ids: Iterable[int]) -> dict[int, list[PendingInvitation]]:
    """Invitations not yet confirmed on those of `todo_ids` that `owner` owns, by todo id
    (one query; none when there are no ids)."""
    ids = list(todo_ids)
    found: dict[int, list[PendingInvitation]] = defaultdict(list)
    if not ids:
        return found
    rows = (
        CollaborationRequest.objects.filter(todo_id__in=ids, todo__owner_id=owner.pk)
        .order_by("collaborator__display_name", "collaborator__username")
        .values(
            "todo_id",
            "collaborator_id",
            "collaborator__display_name",
            "collaborator__username",
            "emailed_at",
            "created",
        )
    )
    expired_before = timezone.now() - invitation_ttl()
    for row in rows:
        found[row["todo_id"]].append(
            PendingInvitation(
                todo_id=row["todo_id"],
                user_id=row["collaborator_id"],
                name=_name(row["collaborator__display_name"], row["collaborator__username"]),
                emailed=row["emailed_at"] is not None,
                expired=row["created"] < expired_before,
            )
        )
    return found


def suggest_people(user: User, text: str) -> list[dict[str, str]]:
    """Whom `user` might invite, for the share dialog: active users other than `user` whose
    username or name contains `text` (or whose email address is `text`), people the user
    has worked with first, at most SUGGESTIONS_LIMIT; nothing for fewer than
    SUGGESTIONS_MIN_LENGTH characters. Email addresses are matched, never shown."""
    text = text.strip()
    if len(text) < SUGGESTIONS_MIN_LENGTH:
        return []
    shared_by_me = Share.objects.filter(
        Q(todo__owner_id=user.pk) | Q(todo_list__owner_id=user.pk), user_id=OuterRef("pk")
    )
    shared_with_me = Share.objects.filter(
        Q(todo__owner_id=OuterRef("pk")) | Q(todo_list__owner_id=OuterRef("pk")), user_id=user.pk
    )
    worked_with = Exists(shared_by_me) | Exists(shared_with_me)
    invited = Exists(
        CollaborationRequest.objects.filter(todo__owner_id=user.pk, collaborator_id=OuterRef("pk"))
    )
    people = (
        User.objects.filter(is_active=True)
        .exclude(pk=user.pk)
        .filter(
            Q(username__icontains=text) | Q(display_name__icontains=text) | Q(email__iexact=text)
        )
        .annotate(known=ExpressionWrapper(worked_with | invited, output_field=BooleanField()))
        .order_by("-known", "display_name", "username")
        .values("username", "display_name")[:SUGGESTIONS_LIMIT]
    )
    return [
        {"username": person["username"], "name": _name(person["display_name"], person["username"])}
        for person in people
    ]


def find_person(name: str) -> User | None:
    """The active user with this username or email address, letter case aside; an exact
    username wins. None if there is nobody, or more than one, by that name."""
    matches = list(
        User.objects.filter(is_active=True).filter(Q(username__iexact=name) | Q(email__iexact=name))
    )
    exact = [person for person in matches if person.username == name]
    if exact:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


def todo_pending_invitations(todo: Todo) -> list[CollaborationRequest]:
    """Pending invitations of one todo, for its page; each with `expired` set."""
    requests = list(
        todo.collaboration_requests.select_related("collaborator").order_by(
            "collaborator__display_name", "collaborator__username"
        )
    )
    expired_before = timezone.now() - invitation_ttl()
    for request in requests:
        request.expired = request.created < expired_before  # type: ignore[attr-defined]
    return requests
