"""Reads of todos, always scoped to what the given user may see."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from accounts.models import User
from todos.models import Status, Todo


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
        .annotate(
            collaborator_count=Count("collaborators", distinct=True),
            status_rank=Case(
                When(status=Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("status_rank", "due_date", "id")
    )
