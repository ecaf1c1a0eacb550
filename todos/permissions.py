"""Who may do what to a list or a todo: every view and service asks `can` (or `require`).

A user's level on a todo is the highest of: owner (of the todo, hence of its list), the role
of a share on the todo, the role of a share on its list. On a list: owner, or the role of a
share on it. Levels are read once per object and user, and kept on the object for the rest of
the request."""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    F,
    IntegerField,
    Lookup,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from todos.models import Role, Share, Todo, TodoList


class Level(enum.IntEnum):
    NONE = 0
    VIEWER = 1
    COMMENTER = 2
    EDITOR = 3
    OWNER = 4


ROLE_LEVELS = {
    Role.VIEWER: Level.VIEWER,
    Role.COMMENTER: Level.COMMENTER,
    Role.EDITOR: Level.EDITOR,
}


class Action(enum.StrEnum):
    VIEW = "view"  # see it, its notes, files, history; watch it
    COMMENT = "comment"  # add notes
    SET_STATUS = "set_status"  # mark done or open
    EDIT = "edit"  # title, description, due date, priority; a list's name and archiving
    ADD_TODO = "add_todo"  # a list only
    ATTACH = "attach"  # add files
    REMIND = "remind"  # set and remove reminders
    ASSIGN = "assign"  # choose assignees
    MOVE = "move"  # a todo to another of the owner's lists
    SHARE = "share"  # invite, change roles, revoke
    DELETE = "delete"
    TRANSFER = "transfer"  # hand ownership to an Editor
    ARRANGE = "arrange"  # a list's place among its owner's lists


# The lowest level that may take each action. Actions missing for a kind of object are
# refused on it.
TODO_ACTIONS = {
    Action.VIEW: Level.VIEWER,
    Action.COMMENT: Level.COMMENTER,
    Action.SET_STATUS: Level.COMMENTER,
    Action.EDIT: Level.EDITOR,
    Action.ATTACH: Level.EDITOR,
    Action.REMIND: Level.EDITOR,
    Action.ASSIGN: Level.EDITOR,
    Action.MOVE: Level.OWNER,
    Action.SHARE: Level.OWNER,
    Action.DELETE: Level.OWNER,
    Action.TRANSFER: Level.OWNER,
}
LIST_ACTIONS = {
    Action.VIEW: Level.VIEWER,
    Action.EDIT: Level.EDITOR,
    Action.ADD_TODO: Level.EDITOR,
    Action.SHARE: Level.OWNER,
    Action.DELETE: Level.OWNER,
    Action.TRANSFER: Level.OWNER,
    Action.ARRANGE: Level.OWNER,
}


class NotAllowed(PermissionDenied):
    """The user may not do this; the message says why, in words for the page (a view that
    does not catch it answers 403 with that message)."""


def _user_id(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", True):
        return None
    return int(user.pk)


def level_of(user: Any, obj: Todo | TodoList) -> Level:
    user_id = _user_id(user)
    if user_id is None or obj.pk is None:
        return Level.NONE
    cache: dict[int, Level] = obj.__dict__.setdefault("_levels", {})
    if user_id not in cache:
        cache[user_id] = _read_level(user_id, obj)
    return cache[user_id]


def know_level(user: Any, obj: Todo | TodoList, roles: list[Role]) -> None:
    """Keep the user's level on `obj` from the roles of their shares reaching it, which the
    caller read anyway (the people a todo's page lists), sparing level_of its query."""
    user_id = _user_id(user)
    if user_id is None or obj.pk is None:
        return
    level = Level.OWNER if obj.owner_id == user_id else _highest(roles)
    obj.__dict__.setdefault("_levels", {})[user_id] = level


def forget_levels(obj: Todo | TodoList) -> None:
    """After a share of `obj` changed within this request."""
    obj.__dict__.pop("_levels", None)


def _read_level(user_id: int, obj: Todo | TodoList) -> Level:
    if obj.owner_id == user_id:
        return Level.OWNER
    if isinstance(obj, Todo):
        target = Q(todo_id=obj.pk) | Q(todo_list_id=obj.todo_list_id)
    else:
        target = Q(todo_list_id=obj.pk)
    return _highest(Share.objects.filter(target, user_id=user_id).values_list("role", flat=True))


def _highest(roles: Iterable[str]) -> Level:
    """The level the highest of these roles gives; NONE for no role."""
    return max((ROLE_LEVELS[Role(role)] for role in roles), default=Level.NONE)


def can(user: Any, action: Action, obj: Todo | TodoList) -> bool:
    return allows(level_of(user, obj), action, obj)


def allows(
    level: Level, action: Action, obj: Todo | TodoList | type[Todo] | type[TodoList]
) -> bool:
    """Whether `level` is enough for `action` on `obj` (an object or its class): for a level
    read beforehand, e.g. per row of a list by `level_annotation`."""
    is_todo = obj is Todo or isinstance(obj, Todo)
    needed = (TODO_ACTIONS if is_todo else LIST_ACTIONS).get(action)
    return needed is not None and level >= needed


REFUSALS = {
    Action.VIEW: "This {thing} is not shared with you.",
    Action.COMMENT: "Your role does not let you add notes to this {thing}.",
    Action.SET_STATUS: "Your role does not let you mark this {thing} done or open.",
    Action.EDIT: "Your role does not let you change this {thing}.",
    Action.ADD_TODO: "Your role does not let you add todos to this {thing}.",
    Action.ATTACH: "Your role does not let you attach files to this {thing}.",
    Action.REMIND: "Your role does not let you set reminders on this {thing}.",
    Action.ASSIGN: "Your role does not let you assign people to this {thing}.",
    Action.MOVE: "Only the owner can move this {thing} to another list.",
    Action.SHARE: "Only the owner can share this {thing} or change who it is shared with.",
    Action.DELETE: "Only the owner can delete this {thing}.",
    Action.TRANSFER: "Only the owner can hand over this {thing}.",
    Action.ARRANGE: "Only the owner can change the order of their lists.",
}


def require(user: Any, action: Action, obj: Todo | TodoList) -> None:
    """Raise NotAllowed unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        thing = "todo" if isinstance(obj, Todo) else "list"
        raise NotAllowed(REFUSALS[action].format(thing=thing))


def role_name(level: Level) -> str:
    return {
        Level.NONE: "",
        Level.VIEWER: "Viewer",
        Level.COMMENTER: "Commenter",
        Level.EDITOR: "Editor",
        Level.OWNER: "Owner",
    }[level]


def shared_list_ids(user_id: int) -> QuerySet[TodoList, Any]:
    """The ids of the lists shared with `user_id`, as a subquery."""
    # Through the lists, not `Share(user_id=…, todo_list__isnull=False)`: PostgreSQL does not
    # know those two conditions go together and estimates that at one row, which made it join
    # the 10,000 todos of 20 shared lists row by row (nested loops) instead of by hashing.
    return TodoList.objects.filter(shares__user_id=user_id).order_by().values("pk")


class AnyOf(Lookup):
    """`field IN (subquery)`, which PostgreSQL is told as `field = ANY(ARRAY(subquery))`: it
    then reads the subquery once and looks its ids up in the field's index, where `IN` hashes
    them and scans the whole table to probe the hash (a condition it cannot combine with
    others by OR either). Other databases (SQLite under `make run`) get the plain `IN`."""

    def __init__(self, field: str, ids: QuerySet[Any, Any]) -> None:
        super().__init__(F(field), Subquery(ids))

    def _sides(self, compiler: Any, connection: Any) -> tuple[str, str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT …)"
        return lhs, rhs, (*lhs_params, *rhs_params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params


def visible_todos(user: Any) -> QuerySet[Todo]:
    """Todos the user owns, or that are shared with them (on their own or by their list)."""
    user_id = _user_id(user)
    if user_id is None:
        return Todo.objects.none()
    return Todo.objects.filter(visible_todo_condition(user_id))


def visible_todo_condition(user_id: int) -> Q:
    """The condition on a todo that `user_id` can see it. Each of its three parts is an index
    lookup, and PostgreSQL ORs them as bitmaps: it reads only the todos the user can see,
    however many other todos there are."""
    shared_todo_ids = Share.objects.filter(user_id=user_id, todo__isnull=False).values("todo_id")
    return (
        Q(owner_id=user_id)
        | Q(AnyOf("todo_list_id", shared_list_ids(user_id)))
        | Q(AnyOf("pk", shared_todo_ids))
    )


def visible_lists(user: Any) -> QuerySet[TodoList]:
    """Lists the user owns or that are shared with them."""
    user_id = _user_id(user)
    if user_id is None:
        return TodoList.objects.none()
    return TodoList.objects.filter(Q(owner_id=user_id) | Q(pk__in=shared_list_ids(user_id)))


def roles_allowing(action: Action, kind: type[Todo] | type[TodoList] = Todo) -> frozenset[Role]:
    """The roles whose level allows `action` on an object of `kind` (none for an action the
    kind does not have, or one only the owner may take)."""
    needed = (TODO_ACTIONS if kind is Todo else LIST_ACTIONS).get(action)
    if needed is None:
        return frozenset()
    return frozenset(role for role, level in ROLE_LEVELS.items() if level >= needed)


def lists_allowing(user: Any, action: Action) -> QuerySet[TodoList]:
    """The lists on which `user` may take `action` (the owner's, and those shared with them
    with a role high enough), e.g. where they may add todos."""
    user_id = _user_id(user)
    if user_id is None or action not in LIST_ACTIONS:
        return TodoList.objects.none()
    roles = roles_allowing(action, TodoList)
    shared = Share.objects.filter(user_id=user_id, todo_list__isnull=False, role__in=roles)
    return TodoList.objects.filter(Q(owner_id=user_id) | Q(pk__in=shared.values("todo_list_id")))


def audience(todo: Todo) -> set[int]:
    """Ids of everyone who can see the todo: its owner and whoever it or its list is shared
    with."""
    shared = Share.objects.filter(Q(todo_id=todo.pk) | Q(todo_list_id=todo.todo_list_id))
    return {todo.owner_id, *shared.values_list("user_id", flat=True)}


def list_audience(todo_list: TodoList) -> set[int]:
    """Ids of everyone who can see the list or any of its todos."""
    shared = Share.objects.filter(Q(todo_list_id=todo_list.pk) | Q(todo__todo_list_id=todo_list.pk))
    return {todo_list.owner_id, *shared.values_list("user_id", flat=True)}


def level_annotation(user_id: int) -> Any:
    """An expression for a todo's level for `user_id` (a Level's value), to annotate rows with
    in the query that reads them: owner, else the highest role of a share on the todo or its
    list (a correlated subquery, evaluated for the rows returned only)."""
    role_level = Case(
        *(When(role=role, then=Value(int(level))) for role, level in ROLE_LEVELS.items()),
        default=Value(int(Level.NONE)),
        output_field=IntegerField(),
    )
    best_share = (
        Share.objects.filter(user_id=user_id)
        .filter(Q(todo_id=OuterRef("pk")) | Q(todo_list_id=OuterRef("todo_list_id")))
        .annotate(level=role_level)
        .order_by("-level")
        .values("level")[:1]
    )
    return Case(
        When(owner_id=user_id, then=Value(int(Level.OWNER))),
        default=Coalesce(Subquery(best_share), Value(int(Level.NONE))),
        output_field=IntegerField(),
    )


@functools.cache
def rights_at(level: int, kind: type[Todo] | type[TodoList]) -> Mapping[str, bool]:
    """What `rights` answers for a user at `level` on an object of `kind` (read-only: one
    answer per level and kind, shared by every row of a list)."""
    actions = TODO_ACTIONS if kind is Todo else LIST_ACTIONS
    return MappingProxyType(
        {action.value: allows(Level(level), action, kind) for action in actions}
    )


def rights(user: Any, obj: Todo | TodoList) -> Mapping[str, bool]:
    """Every action's answer for `user` on `obj`, keyed by its name: what a page shows."""
    return rights_at(level_of(user, obj), type(obj))
