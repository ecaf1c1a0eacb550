"""Reads for the sharing parts of pages, scoped to what the given user may see."""

from collections import defaultdict
from typing import Any

from accounts.models import User
from sharing.models import CollaborationRequest
from todos.models import Todo


def _name(display_name: str, username: str) -> str:
    return display_name or username  # as User.__str__


def add_sharing_details(user: User, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For the dashboard rows (`todos.selectors.dashboard_rows`): on each of the user's own
    todos set `pending` (invited, not yet confirmed) and `share_candidates` (users the owner
    may still invite: not the owner, not a collaborator, not already invited), as lists of
    (user id, name); empty lists on the others. The rows carry their `collaborator_ids`
    already; two more queries, whatever the number of rows."""
    own_ids = [row["id"] for row in rows if row["owner_id"] == user.pk]
    pending: dict[int, list[tuple[int, str]]] = defaultdict(list)
    taken: dict[int, set[int]] = defaultdict(set)
    others: list[tuple[int, str]] = []
    if own_ids:
        requests = CollaborationRequest.objects.filter(todo_id__in=own_ids).values_list(
            "todo_id", "collaborator_id", "collaborator__display_name", "collaborator__username"
        )
        for todo_id, collaborator_id, display_name, username in requests:
            pending[todo_id].append((collaborator_id, _name(display_name, username)))
            taken[todo_id].add(collaborator_id)
        for row in rows:
            taken[row["id"]].update(row["collaborator_ids"])
        others = [
            (pk, _name(display_name, username))
            for pk, display_name, username in User.objects.filter(is_active=True)
            .exclude(pk=user.pk)
            .values_list("pk", "display_name", "username")
        ]
    own = set(own_ids)
    for row in rows:
        row["pending"] = pending.get(row["id"], [])
        row["share_candidates"] = (
            [(pk, name) for pk, name in others if pk not in taken[row["id"]]]
            if row["id"] in own
            else []
        )
    return rows


def todo_collaboration(todo: Todo) -> tuple[list[User], list[CollaborationRequest]]:
    """Collaborators and pending invitations of one todo, for its page."""
    collaborators = list(todo.collaborators.order_by("username"))
    pending = list(todo.collaboration_requests.select_related("collaborator"))
    return collaborators, pending
