"""Reads of todos, always scoped to what the given user may see."""

from typing import Any

from django.db.models import Count, Q, QuerySet
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


def dashboard_todos(user: User) -> QuerySet[Todo]:
    """Own and shared todos, open before done, soonest due first, in one query."""
    return (
        visible_todos(user)
        .select_related("owner")
        .annotate(collaborator_count=Count("collaborators", distinct=True))
        # "OPEN" sorts after "DONE", so descending status puts open todos first.
        .order_by("-status", "due_date", "id")
    )


DASHBOARD_FIELDS = (
    "id",
    "title",
    "due_date",
    "priority",
    "status",
    "owner_id",
    "owner__username",
    "owner__display_name",
)


def dashboard_rows(user: User) -> list[dict[str, Any]]:
    """Own and shared todos as plain dicts of DASHBOARD_FIELDS plus `collaborator_ids` (a
    list) and `collaborator_count`, in one query whatever the number of rows.

    Plain dicts because the dashboard shows hundreds of rows and building model instances
    for them costs more than the query. The collaborators come as one result row per
    (todo, collaborator) pair, folded here, rather than through
    `annotate(Count("collaborators", distinct=True))`: that needs a GROUP BY over every
    selected column, and the share menu needs the ids anyway."""
    pairs = (
        visible_todos(user)
        # "OPEN" sorts after "DONE", so descending status puts open todos first; the id
        # keeps the pairs of one todo next to each other.
        .order_by("-status", "due_date", "id")
        .values(*DASHBOARD_FIELDS, "collaborators")
    )
    rows: list[dict[str, Any]] = []
    for pair in pairs:
        collaborator_id = pair.pop("collaborators")
        if not rows or rows[-1]["id"] != pair["id"]:
            pair["collaborator_ids"] = []
            rows.append(pair)
        if collaborator_id is not None:  # None: a todo without collaborators (LEFT JOIN)
            rows[-1]["collaborator_ids"].append(collaborator_id)
    for row in rows:
        row["collaborator_count"] = len(row["collaborator_ids"])
    return rows
