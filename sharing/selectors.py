"""Reads for the sharing parts of pages, scoped to what the given user may see."""

from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Q

from accounts.models import User
from sharing.models import CollaborationRequest
from todos.models import Todo


def _name(display_name: str, username: str) -> str:
    return display_name or username  # as User.__str__


# Everyone but the viewer, once per pending invitation to one of the viewer's todos (or once
# with NULL): the pending names and the share menus' suggestions in one query. Written out
# for the same reason as todos.selectors.DASHBOARD_SQL.
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


def add_sharing_details(user: User, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """For the dashboard rows (`todos.selectors.dashboard_rows`): set `pending` on each row,
    the invitations not yet confirmed as (user id, name), on the user's own todos only.
    Returns whom the user may invite, as (username, name) sorted by name: every other
    active user, once per page rather than once per todo, so that the page grows with
    todos plus users, not todos times users. One query if the user owns any row, else none."""
    own_ids = {row["id"] for row in rows if row["owner_id"] == user.pk}
    pending: dict[int, list[tuple[int, str]]] = defaultdict(list)
    people: dict[str, str] = {}
    if own_ids:
        with connection.cursor() as cursor:
            cursor.execute(PEOPLE_AND_INVITATIONS_SQL, [user.pk, user.pk])
            found = cursor.fetchall()
        for pk, display_name, username, is_active, invited_to in found:
            name = _name(display_name, username)
            if is_active:
                people[username] = name
            if invited_to is not None:
                pending[invited_to].append((pk, name))
    for row in rows:
        row["pending"] = pending.get(row["id"], [])
    return sorted(people.items(), key=lambda person: (person[1].casefold(), person[0]))


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


def todo_collaboration(todo: Todo) -> tuple[list[User], list[CollaborationRequest]]:
    """Collaborators and pending invitations of one todo, for its page."""
    collaborators = list(todo.collaborators.order_by("username"))
    pending = list(todo.collaboration_requests.select_related("collaborator"))
    return collaborators, pending
