"""Reads of todos, always scoped to what the given user may see."""

from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from todos.models import Todo


def visible_todos(user: User) -> QuerySet[Todo]:
    """Todos the user owns or collaborates on."""
    shared_ids = Todo.collaborators.through.objects.filter(user_id=user.pk).values("todo_id")
    return Todo.objects.filter(Q(owner_id=user.pk) | Q(pk__in=shared_ids))


def get_todo_for_user(user: User, todo_id: int) -> Todo:
    """The todo if the user owns or collaborates on it; 404 otherwise, so that a stranger
    cannot tell someone else's todo from a missing one."""
    todo = visible_todos(user).select_related("owner").filter(pk=todo_id).first()
    if todo is None:
        raise Http404("No such todo.")
    return todo


# The dashboard is the busiest page, and this is its one query, written out: the same rows
# through the ORM cost about three times as much CPU (building and compiling the queryset,
# then converting every value), most of the page's own cost (bench/dashboard.py). One row per
# (todo, collaborator) pair; a todo without collaborators comes once, with NULL.
DASHBOARD_SQL = """
    SELECT t.id, t.title, t.due_date, t.priority, t.status, t.owner_id,
           o.username, o.display_name, c.user_id
      FROM todos_todo t
      JOIN accounts_user o ON o.id = t.owner_id
      LEFT JOIN todos_todo_collaborators c ON c.todo_id = t.id
     WHERE t.owner_id = %s
        OR t.id IN (SELECT todo_id FROM todos_todo_collaborators WHERE user_id = %s)
     ORDER BY t.status DESC, t.due_date, t.id
"""


def dashboard_rows(user: User) -> list[dict[str, Any]]:
    """Own and shared todos, open before done ("OPEN" sorts after "DONE"), soonest due
    first, as plain dicts: id, title, due_date, priority, status, owner_id,
    owner__username, owner__display_name and collaborator_count. One query whatever the
    number of rows; plain dicts because the dashboard shows hundreds of rows and model
    instances cost more than the query."""
    rows: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        cursor.execute(DASHBOARD_SQL, [user.pk, user.pk])
        pairs = cursor.fetchall()
    for (
        pk,
        title,
        due_date,
        priority,
        status,
        owner_id,
        username,
        display_name,
        collaborator,
    ) in pairs:
        if not rows or rows[-1]["id"] != pk:  # the pairs of one todo come together (ORDER BY id)
            rows.append(
                {
                    "id": pk,
                    "title": title,
                    "due_date": due_date,
                    "priority": priority,
                    "status": status,
                    "owner_id": owner_id,
                    "owner__username": username,
                    "owner__display_name": display_name,
                    "collaborator_count": 0,
                }
            )
        if collaborator is not None:
            rows[-1]["collaborator_count"] += 1
    return rows
