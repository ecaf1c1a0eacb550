"""Reads for the sharing parts of pages, scoped to what the given user may see."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from sharing.models import CollaborationRequest
from sharing.services import invitation_ttl
from todos.models import Role, Share, Todo, TodoList
from todos.permissions import Action, can
from todos.selectors import SharedPerson, todo_people

SUGGESTIONS_MIN_LENGTH = 2
SUGGESTIONS_LIMIT = 10


@dataclass(frozen=True)
class PendingInvitation:
    id: int
    todo_id: int
    name: str  # the user's name, or the address of someone with no account yet
    emailed: bool
    expired: bool  # its link no longer works; sharing again sends a fresh one


def _name(display_name: str, username: str) -> str:
    return display_name or username  # as User.__str__


def pending_invitations(owner: User, todo_ids: Iterable[int]) -> dict[int, list[PendingInvitation]]:
    """Invitations not yet confirmed on those of `todo_ids` that `owner` owns, to users and
    to addresses, by todo id (one query; none when there are no ids)."""
    ids = list(todo_ids)
    found: dict[int, list[PendingInvitation]] = defaultdict(list)
    if not ids:
        return found
    rows = (
        CollaborationRequest.objects.filter(
            todo_id__in=ids, todo__owner_id=owner.pk, accepted_at=None
        )
        .order_by("collaborator__display_name", "collaborator__username", "email", "id")
        .values(
            "id",
            "todo_id",
            "email",
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
                id=row["id"],
                todo_id=row["todo_id"],
                name=_name(row["collaborator__display_name"], row["collaborator__username"])
                if row["collaborator_id"] is not None
                else row["email"],
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
        CollaborationRequest.objects.filter(
            Q(todo__owner_id=user.pk) | Q(todo_list__owner_id=user.pk),
            collaborator_id=OuterRef("pk"),
        )
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


@dataclass(frozen=True)
class Invitation:
    """One invitation as its owner's sharing panel shows it."""

    id: int
    invitee: str
    role: str  # the label: Viewer, Commenter, Editor
    state: str  # "pending", "accepted" or "expired"
    emailed: bool
    created: datetime.datetime
    accepted_at: datetime.datetime | None


@dataclass(frozen=True)
class SharingPanel:
    """Who shares a todo or a list and the invitations to it, for its owner's panel; for
    anyone else, the people only (`invitations` empty, `can_share` False)."""

    target: Todo | TodoList
    kind: str  # "todo" or "list"
    people: list[SharedPerson]
    invitations: list[Invitation]
    can_share: bool
    roles: list[tuple[str, str]]
    default_role: str


# The role the share dialog proposes: a todo is shared to be worked on together; a whole
# list is a wider grant, so it starts one step lower.
DEFAULT_ROLES = {"todo": Role.EDITOR, "list": Role.COMMENTER}


def sharing_panel(
    target: Todo | TodoList, user: User, *, people: list[SharedPerson] | None = None
) -> SharingPanel:
    """What the sharing panel of `target` shows to `user` (who must be able to see it).
    `people`: the todo's `todo_people`, if the caller has read them already."""
    kind = "todo" if isinstance(target, Todo) else "list"
    can_share = can(user, Action.SHARE, target)
    if people is not None:
        pass
    elif isinstance(target, Todo):
        people = todo_people(target)
    else:
        people = [
            SharedPerson(share.user, Role(share.role), via_list=False)
            for share in Share.objects.filter(todo_list=target)
            .select_related("user")
            .order_by("user__display_name", "user__username")
        ]
    invitations: list[Invitation] = []
    if can_share:
        key = {"todo": target} if isinstance(target, Todo) else {"todo_list": target}
        expired_before = timezone.now() - invitation_ttl()
        for request in (
            CollaborationRequest.objects.filter(**key)
            .select_related("collaborator")
            .order_by("-created", "-id")
        ):
            if request.accepted_at is not None:
                state = "accepted"
            elif request.created < expired_before:
                state = "expired"
            else:
                state = "pending"
            invitations.append(
                Invitation(
                    id=request.pk,
                    invitee=request.invitee,
                    role=request.get_role_display(),
                    state=state,
                    emailed=request.emailed_at is not None,
                    created=request.created,
                    accepted_at=request.accepted_at,
                )
            )
    return SharingPanel(
        target=target,
        kind=kind,
        people=people,
        invitations=invitations,
        can_share=can_share,
        roles=list(Role.choices),
        default_role=DEFAULT_ROLES[kind],
    )


def get_list_for_user(user: User, list_id: int) -> TodoList:
    """The list if the user can see it; 404 otherwise (as todos.selectors.get_todo_for_user)."""
    todo_list = TodoList.objects.select_related("owner").filter(pk=list_id).first()
    if todo_list is None or not can(user, Action.VIEW, todo_list):
        raise Http404("No such list.")
    return todo_list
