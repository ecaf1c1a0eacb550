"""The dashboard's query parameters: read leniently (anything unknown or malformed falls back
to the default, never an error) and written back for links, so that a URL can be bookmarked."""

from collections.abc import Container

from django.http import QueryDict

from todos.models import Priority
from todos.selectors import (
    ASSIGNED_FILTERS,
    DUE_FILTERS,
    SEARCH_MAX_LENGTH,
    SORTS,
    STATUS_FILTERS,
    WHOSE_FILTERS,
    TodoListQuery,
)

SORT_LABELS = {
    "due": "Due date",
    "priority": "Priority",
    "title": "Title",
    "changed": "Last change",
}


def _choice(params: QueryDict, name: str, allowed: object) -> str:
    value = params.get(name, "")
    return value if value in allowed else ""  # type: ignore[operator]


def _list_id(params: QueryDict, list_ids: Container[int]) -> int:
    value = params.get("list", "")
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        return 0
    return int(value) if int(value) in list_ids else 0


def read_query(params: QueryDict, list_ids: Container[int] = ()) -> TodoListQuery:
    """`list_ids`: the lists the user can see (any other `list` is ignored)."""
    sort = params.get("sort", "")
    return TodoListQuery(
        # PostgreSQL text cannot hold NUL; nobody types one.
        search=params.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH],
        status=_choice(params, "status", STATUS_FILTERS),
        priority=_choice(params, "priority", Priority.values),
        whose=_choice(params, "whose", WHOSE_FILTERS),
        due=_choice(params, "due", DUE_FILTERS),
        assigned=_choice(params, "assigned", ASSIGNED_FILTERS),
        list_id=_list_id(params, list_ids),
        sort=sort if sort in SORTS else "due",
    )


def read_page(params: QueryDict) -> int:
    """The page number asked for; 1 if it is not a number (past the end: clamped later)."""
    value = params.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 30 else 1


def query_params(query: TodoListQuery) -> QueryDict:
    """The query as clean parameters, defaults left out."""
    params = QueryDict(mutable=True)
    for name, value in (
        ("q", query.search),
        ("status", query.status),
        ("priority", query.priority),
        ("whose", query.whose),
        ("due", query.due),
        ("assigned", query.assigned),
        ("list", str(query.list_id) if query.list_id else ""),
        ("sort", "" if query.sort == "due" else query.sort),
    ):
        if value:
            params[name] = value
    return params
