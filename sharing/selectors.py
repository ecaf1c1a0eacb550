"""Reads for the sharing parts of pages, scoped to what the given user may see."""

from collections import defaultdict
from typing import Any

from django.db import connection

from accounts.models import User
from sharing.models import CollaborationRequest
from todos.models import Todo


def _name(display_name: str, username: str) -> str:
    return display_name or username  # as User.__str__


# Everyone but the viewer, once per pending invitation to one of the viewer's todos (or once
# with NULL): the share menus and the pending names in one query. Written out for the same
# reason as todos.selectors.DASHBOARD_SQL.
PEOPLE_AND_INVITATIONS_SQL = """
    SELECT u.id, u.display_name, u.username, u.is_active, invited.todo_id
      FROM accounts_user u
      LEFT JOIN (SELECT r.todo_id, r.collaborator_id
                   FROM sharing_collaborationrequest r
                   JOIN todos_todo t ON t.id = r.todo_id
                  WHERE t.owner_id = %s) invited ON invited.collaborator_id = u.id
     WHERE u.id <> %s
     ORDER BY u.id, invited.todo_id
"""


def add_sharing_details(user: User, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For the dashboard rows (`todos.selectors.dashboard_rows`): on each of the user's own
    todos set `pending` (invited, not yet confirmed) and `share_candidates` (active users the
    owner may still invite: not the owner, not a collaborator, not already invited), as
    lists of (user id, name), candidates by name; empty lists on the others. The rows carry
    their `collaborator_ids` already; one more query if the user owns any of them."""
    own_ids = {row["id"] for row in rows if row["owner_id"] == user.pk}
    pending: dict[int, list[tuple[int, str]]] = defaultdict(list)
    active: dict[int, str] = {}
    if own_ids:
        with connection.cursor() as cursor:
            cursor.execute(PEOPLE_AND_INVITATIONS_SQL, [user.pk, user.pk])
            people = cursor.fetchall()
        for pk, display_name, username, is_active, invited_to in people:
            name = _name(display_name, username)
            if is_active:
                active[pk] = name
            if invited_to is not None:
                pending[invited_to].append((pk, name))
    candidates = sorted(active.items(), key=lambda person: person[1].casefold())
    for row in rows:
        if row["id"] in own_ids:
            taken = {*row["collaborator_ids"], *(pk for pk, _ in pending[row["id"]])}
            row["pending"] = pending[row["id"]]
            row["share_candidates"] = [person for person in candidates if person[0] not in taken]
        else:
            row["pending"] = []
            row["share_candidates"] = []
    return rows


def todo_collaboration(todo: Todo) -> tuple[list[User], list[CollaborationRequest]]:
    """Collaborators and pending invitations of one todo, for its page."""
    collaborators = list(todo.collaborators.order_by("username"))
    pending = list(todo.collaboration_requests.select_related("collaborator"))
    return collaborators, pending
