"""Reads of todos, always scoped to what the given user may see."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from todos.models import (
    Attachment,
    Note,
    Priority,
    Reminder,
    Role,
    Share,
    Status,
    Todo,
    TodoList,
    Watch,
)
from todos.permissions import (
    ROLE_LEVELS,
    AnyOf,
    Level,
    know_level,
    level_annotation,
    level_of,
    shared_list_ids,
    visible_lists,
    visible_todos,
)

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


def get_list_for_user(user: User, list_id: int) -> TodoList:
    """The list if the user can see it; 404 otherwise (someone else's list, or one deleted
    meanwhile, reads as missing)."""
    todo_list = TodoList.objects.select_related("owner").filter(pk=list_id).first()
    if todo_list is None or level_of(user, todo_list) == Level.NONE:
        raise Http404("No such list.")
    return todo_list


@dataclass(frozen=True)
class ListChoice:
    """A list as menus and filters show it."""

    id: int
    name: str
    archived: bool
    is_inbox: bool
    owner_id: int
    owner_name: str  # "" for the user's own lists
    role: str  # the user's role on it: "" for their own lists, else a Role value

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else "Owner"

    @property
    def level(self) -> Level:
        return ROLE_LEVELS[Role(self.role)] if self.role else Level.OWNER

    @property
    def label(self) -> str:
        name = f"{self.name} ({self.owner_name})" if self.owner_name else self.name
        return f"{name} · archived" if self.archived else name


def lists_of(user: User) -> list[ListChoice]:
    """The lists the user can see, their own first (in their order), then those shared with
    them by owner and name (one query)."""
    role = Subquery(
        Share.objects.filter(user_id=user.pk, todo_list_id=OuterRef("pk")).values("role")[:1]
    )
    rows = (
        TodoList.objects.filter(Q(owner_id=user.pk) | Q(pk__in=shared_list_ids(user.pk)))
        .annotate(
            mine=Case(When(owner_id=user.pk, then=Value(0)), default=Value(1)),
            my_role=role,
        )
        .order_by("mine", "owner__display_name", "owner__username", "position", "id")
        .values(
            "id",
            "name",
            "archived",
            "is_inbox",
            "owner_id",
            "owner__display_name",
            "owner__username",
            "my_role",
        )
    )
    return [
        ListChoice(
            id=row["id"],
            name=row["name"],
            archived=row["archived"],
            is_inbox=row["is_inbox"],
            owner_id=row["owner_id"],
            owner_name=""
            if row["owner_id"] == user.pk
            else row["owner__display_name"] or row["owner__username"],
            role=row["my_role"] or "",
        )
        for row in rows
    ]


STATUS_FILTERS = {"open": Status.OPEN, "done": Status.DONE}
WHOSE_FILTERS = ("mine", "shared")
DUE_FILTERS = ("today", "overdue")
ASSIGNED_FILTERS = ("me",)
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
    assigned: str = ""  # "", "me"
    list_id: int = 0  # 0: every list but archived ones; else one list the user can see
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
        "assigned": Q(
            pk__in=Todo.assignees.through.objects.filter(user_id=user.pk).values("todo_id")
        ),
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


def _count_filters(
    todos: QuerySet[Todo], filters: dict[str, Q], chosen: set[str]
) -> tuple[dict[str, int], int]:
    """How many of `todos` each filter holds ("all" too), and how many all of `chosen` do.

    One GROUP BY over what the filters look at (status, priority, mine or not, assigned to
    the user or not, due today / overdue / neither: at most 72 groups), summed here: a
    single pass over the todos, and a small query to build, where a COUNT … FILTER per
    filter took twelve expressions."""
    due_state = Case(
        When(filters["today"], then=Value("today")),
        When(filters["overdue"], then=Value("overdue")),
        default=Value(""),
        output_field=CharField(),
    )
    groups = (
        todos.annotate(
            mine=ExpressionWrapper(filters["mine"], output_field=BooleanField()),
            assigned=ExpressionWrapper(filters["assigned"], output_field=BooleanField()),
            due_state=due_state,
        )
        .order_by()
        .values_list("status", "priority", "mine", "assigned", "due_state")
        .annotate(count=Count("pk"))
    )
    status_keys = {status: key for key, status in STATUS_FILTERS.items()}
    counts = dict.fromkeys(["all", *filters], 0)
    matching = 0
    for status, priority, mine, assigned, due, count in groups:
        keys = {status_keys[status], priority, "mine" if mine else "shared", due}
        if assigned:
            keys.add("assigned")
        for key in keys:
            if key in counts:
                counts[key] += count
        counts["all"] += count
        if chosen <= keys:
            matching += count
    return counts, matching


def todo_list_page(
    user: User,
    query: TodoListQuery,
    *,
    page: int,
    page_size: int = 50,
    todo_list: TodoList | None = None,
) -> TodoListPage:
    """One page of the todos the user may see, as plain dicts (id, title, description,
    due_date, priority, status, owner_id, owner_name, todo_list_id, list_name, updated,
    version, collaborator_count, level: the user's Level on it). Two queries whatever the
    number of todos: the counts (per filter, and of the whole query for paging) and the
    page's rows. A page past the end is the last page.

    `todo_list`: only its todos, for its own page (the caller has checked that the user can
    see it). Otherwise `query.list_id` names one list (which the caller has checked the user
    can see), or, 0, every list but archived ones."""
    today = timezone.localdate()
    filters = _filters(user, today)
    if todo_list is not None:
        # Seeing the list is seeing all its todos: no need for the visibility union.
        todos = Todo.objects.filter(todo_list_id=todo_list.pk)
    elif query.list_id:
        todos = visible_todos(user).filter(todo_list_id=query.list_id)
    else:
        # Archived lists are few: leaving out their todos by id spares joining every row to
        # its list.
        archived = visible_lists(user).filter(archived=True).order_by().values("pk")
        todos = visible_todos(user).exclude(AnyOf("todo_list_id", archived))
    if query.search:
        todos = todos.filter(
            Q(title__icontains=query.search) | Q(description__icontains=query.search)
        )
    chosen_keys = {query.status, query.priority, query.whose, query.due} - {""}
    chosen = Q()
    if query.assigned:
        chosen_keys.add("assigned")
    for key in chosen_keys:
        chosen &= filters[key]
    counts, total = _count_filters(todos, filters, chosen_keys)
    num_pages = max(1, -(-total // page_size))
    number = min(max(page, 1), num_pages)
    offset = (number - 1) * page_size
    # Counted and named for the page's rows only: correlated subqueries, which PostgreSQL
    # evaluates after the sort and LIMIT, where a join (and GROUP BY) would do it for every
    # todo first.
    collaborator_count = Subquery(
        Share.objects.filter(Q(todo_id=OuterRef("pk")) | Q(todo_list_id=OuterRef("todo_list_id")))
        .order_by()
        .values(count=Func(F("user_id"), template="COUNT(DISTINCT %(expressions)s)"))
    )
    owner_name = Subquery(  # as User.__str__
        User.objects.filter(pk=OuterRef("owner_id"))
        .order_by()
        .values(name=Coalesce(NullIf("display_name", Value("")), "username"))
    )
    list_name = Subquery(TodoList.objects.filter(pk=OuterRef("todo_list_id")).values("name"))
    rows = list(
        todos.filter(chosen)
        .annotate(
            collaborator_count=collaborator_count,
            owner_name=owner_name,
            list_name=list_name,
            level=level_annotation(user.pk),
        )
        .values(
            "id",
            "title",
            "description",
            "due_date",
            "priority",
            "status",
            "owner_id",
            "owner_name",
            "todo_list_id",
            "list_name",
            "updated",
            "version",
            "collaborator_count",
            "level",
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
