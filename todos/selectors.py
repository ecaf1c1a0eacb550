"""Reads of todos, always scoped to what the given user may see."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from todos.models import Attachment, Note, Priority, Reminder, Role, Share, Status, Todo, Watch
from todos.permissions import ROLE_LEVELS, Level, know_level, level_of, visible_todos

__all__ = ["visible_todos"]


def get_todo_for_user(user: User, todo_id: int) -> Todo:
    """The todo if the user can see it; 404 otherwise, so that a stranger cannot tell
    someone else's todo from a missing one (nor a todo no longer shared with them)."""
    todo = Todo.objects.select_related("owner", "todo_list").filter(pk=todo_id).first()
    if todo is None or level_of(user, todo) == Level.NONE:
        raise Http404("No such todo.")
    return todo


def todo_titles(user: User, todo_ids: set[int]) -> dict[int, str]:
    """Titles of those of `todo_ids` the user may still see (one query, none if empty)."""
    if not todo_ids:
        return {}
    return dict(visible_todos(user).filter(pk__in=todo_ids).values_list("pk", "title"))


def todo_notes(todo: Todo) -> list[Note]:
    return list(todo.notes.select_related("author"))


def todo_attachments(todo: Todo) -> list[Attachment]:
    return list(todo.attachments.select_related("uploaded_by"))


def todo_reminders(todo: Todo) -> list[Reminder]:
    return list(todo.reminders.all())


@dataclass(frozen=True)
class SharedPerson:
    """Someone a todo is shared with: their highest role on it, and whether that role comes
    from a share of the todo's list rather than of the todo itself."""

    user: User
    role: Role
    via_list: bool
    assigned: bool = False

    def __str__(self) -> str:
        return str(self.user)


def todo_people(todo: Todo) -> list[SharedPerson]:
    """Everyone the todo is shared with (the owner aside), by name (one query)."""
    assigned = Todo.assignees.through.objects.filter(todo_id=todo.pk, user_id=OuterRef("user_id"))
    shares = (
        Share.objects.filter(Q(todo_id=todo.pk) | Q(todo_list_id=todo.todo_list_id))
        .select_related("user")
        .annotate(assigned=Exists(assigned))
        .order_by("user__display_name", "user__username")
    )
    best: dict[int, SharedPerson] = {}
    for share in shares:
        role = Role(share.role)
        known = best.get(share.user_id)
        if known is None or ROLE_LEVELS[role] > ROLE_LEVELS[known.role]:
            best[share.user_id] = SharedPerson(
                share.user, role, share.todo_list_id is not None, share.assigned
            )
    return list(best.values())


@dataclass(frozen=True)
class TodoForPage:
    """A todo for its page, with what the page says about the viewer and its people."""

    todo: Todo
    people: list[SharedPerson]  # todo_people(todo)
    my_watch: bool | None  # the viewer's explicit choice, if any
    i_commented: bool
    owner_assigned: bool

    @property
    def assignees(self) -> list[User]:
        owner = [self.todo.owner] if self.owner_assigned else []
        return owner + [person.user for person in self.people if person.assigned]

    @property
    def assignable(self) -> list[User]:
        """Who may be assigned: the owner and whoever can comment or edit."""
        return [self.todo.owner] + [
            person.user for person in self.people if person.role != Role.VIEWER
        ]


def get_todo_for_page(user: User, todo_id: int) -> TodoForPage:
    """As get_todo_for_user, in two queries that also tell the page who the todo is shared
    with and assigned to, and whether the viewer watches it or commented on it (their level
    comes from the shares read, not from a query of its own)."""
    assignees = Todo.assignees.through.objects.filter(todo_id=OuterRef("pk"))
    todo = (
        Todo.objects.select_related("owner", "todo_list")
        .annotate(
            my_watch=Subquery(
                Watch.objects.filter(todo_id=OuterRef("pk"), user_id=user.pk).values("watching")[:1]
            ),
            i_commented=Exists(Note.objects.filter(todo_id=OuterRef("pk"), author_id=user.pk)),
            owner_assigned=Exists(assignees.filter(user_id=OuterRef("owner_id"))),
        )
        .filter(pk=todo_id)
        .first()
    )
    if todo is None:
        raise Http404("No such todo.")
    people = todo_people(todo)
    know_level(user, todo, [person.role for person in people if person.user.pk == user.pk])
    if level_of(user, todo) == Level.NONE:
        raise Http404("No such todo.")
    return TodoForPage(
        todo=todo,
        people=people,
        my_watch=todo.my_watch,
        i_commented=todo.i_commented,
        owner_assigned=todo.owner_assigned,
    )


# --- The dashboard's list -------------------------------------------------------------------

STATUS_FILTERS = {"open": Status.OPEN, "done": Status.DONE}
WHOSE_FILTERS = ("mine", "shared")
DUE_FILTERS = ("today", "overdue")
SORTS = ("due", "priority", "title", "changed")
SEARCH_MAX_LENGTH = 200


@dataclass(frozen=True)
class TodoListQuery:
    """What the dashboard lists. Every field holds a known value or the default ("")."""

    search: str = ""
    status: str = ""  # "", "open", "done"
    priority: str = ""  # "", or a Priority value
    whose: str = ""  # "", "mine", "shared"
    due: str = ""  # "", "today", "overdue"
    sort: str = "due"


@dataclass
class TodoListPage:
    rows: Sequence[Mapping[str, Any]]
    counts: dict[str, int]  # per filter, within the search (see _count_filters)
    total: int  # rows matching the whole query
    number: int  # 1-based, clamped to the pages there are
    num_pages: int
    page_size: int
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.rows)


_PRIORITY_RANK = Case(
    When(priority=Priority.HIGH, then=Value(0)),
    When(priority=Priority.DEFAULT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _filters(user: User, today: datetime.date) -> dict[str, Q]:
    """Each dashboard filter as a condition on visible todos, keyed as in `counts`."""
    is_open = Q(status=Status.OPEN)
    return {
        "open": is_open,
        "done": Q(status=Status.DONE),
        Priority.HIGH: Q(priority=Priority.HIGH),
        Priority.DEFAULT: Q(priority=Priority.DEFAULT),
        Priority.LOW: Q(priority=Priority.LOW),
        "mine": Q(owner_id=user.pk),
        "shared": ~Q(owner_id=user.pk),
        # Due today and overdue concern open todos only: a done todo is not due any more.
        "today": is_open & Q(due_date=today),
        "overdue": is_open & Q(due_date__lt=today),
    }


def _ordering(sort: str) -> list[Any]:
    due_nulls_last = F("due_date").asc(nulls_last=True)
    if sort == "changed":
        return ["-updated", "-id"]
    # Open before done ("OPEN" > "DONE"), then the chosen order.
    if sort == "priority":
        return ["-status", _PRIORITY_RANK, due_nulls_last, "id"]
    if sort == "title":
        return ["-status", Lower("title"), "id"]
    return ["-status", due_nulls_last, _PRIORITY_RANK, "id"]


def todo_list_page(
    user: User, query: TodoListQuery, *, page: int, page_size: int = 50
) -> TodoListPage:
    """One page of the todos the user may see, as plain dicts (id, title, description,
    due_date, priority, status, owner_id, owner__username, owner__display_name, updated,
    version, collaborator_count). Two queries whatever the number of todos: the counts
    (per filter, and of the whole query for paging) and the page's rows. A page past the
    end is the last page."""
    today = timezone.localdate()
    filters = _filters(user, today)
    todos = visible_todos(user)
    if query.search:
        todos = todos.filter(
            Q(title__icontains=query.search) | Q(description__icontains=query.search)
        )
    chosen = Q()
    if query.status:
        chosen &= filters[query.status]
    if query.priority:
        chosen &= filters[query.priority]
    if query.whose:
        chosen &= filters[query.whose]
    if query.due:
        chosen &= filters[query.due]
    aggregates: dict[str, Any] = {
        key: Count("pk", filter=condition) for key, condition in filters.items()
    }
    counts = todos.aggregate(all=Count("pk"), matching=Count("pk", filter=chosen), **aggregates)
    total = counts.pop("matching")
    num_pages = max(1, -(-total // page_size))
    number = min(max(page, 1), num_pages)
    offset = (number - 1) * page_size
    # Counted for the page's rows only: a correlated subquery, which PostgreSQL evaluates
    # after the sort and LIMIT, where a join and GROUP BY would count for every todo first.
    collaborator_count = Subquery(
        Share.objects.filter(Q(todo_id=OuterRef("pk")) | Q(todo_list_id=OuterRef("todo_list_id")))
        .order_by()
        .values(count=Func(F("user_id"), template="COUNT(DISTINCT %(expressions)s)"))
    )
    rows = list(
        todos.filter(chosen)
        .annotate(collaborator_count=collaborator_count)
        .values(
            "id",
            "title",
            "description",
            "due_date",
            "priority",
            "status",
            "owner_id",
            "owner__username",
            "owner__display_name",
            "updated",
            "version",
            "collaborator_count",
        )
        .order_by(*_ordering(query.sort))[offset : offset + page_size]
        if total
        else []
    )
    return TodoListPage(
        rows=rows,
        counts=counts,
        total=total,
        number=number,
        num_pages=num_pages,
        page_size=page_size,
        today=today,
    )
