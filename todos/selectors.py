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
    list) and `collaborator_count`, in two queries whatever the number of rows.

    Plain dicts because the dashboard shows hundreds of rows and building model instances
    for them costs more than the query. The collaborators come from one query on the link
    table rather than `annotate(Count("collaborators", distinct=True))`: that needs a join
    and a GROUP BY over every selected column, and the share menu needs the ids anyway."""
    rows = list(
        visible_todos(user)
        # "OPEN" sorts after "DONE", so descending status puts open todos first.
        .order_by("-status", "due_date", "id")
        .values(*DASHBOARD_FIELDS)
    )
    collaborators: dict[int, list[int]] = {row["id"]: [] for row in rows}
    if rows:
        links = Todo.collaborators.through.objects.filter(todo_id__in=list(collaborators))
        for todo_id, user_id in links.values_list("todo_id", "user_id"):
            collaborators[todo_id].append(user_id)
    for row in rows:
        row["collaborator_ids"] = collaborators[row["id"]]
        row["collaborator_count"] = len(row["collaborator_ids"])
    return rows
