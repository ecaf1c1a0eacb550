"""Which requests are user actions worth a breadcrumb, and what the breadcrumb holds.

One table maps resolved URL names to actions; BreadcrumbMiddleware asks `action_for` about
every response. Only successful actions count: pages answer 200, form posts redirect
(post/redirect/get) — a form re-rendered with errors (200) is not a "create". Two actions
cannot be seen in the URL: login (allauth's signal) and registration (the view), which
name themselves with `note_action`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tracing.dynamo import Item, sort_key_time

ACTIVITY_DAYS = 14

# Labels shown on the activity page.
ACTION_LABELS = {
    "view_landing": "Viewed the start page",
    "view_dashboard": "Viewed the dashboard",
    "login": "Logged in",
    "logout": "Logged out",
    "register": "Registered",
    "create_todo": "Created a todo",
    "update_todo": "Updated a todo",
    "complete_todo": "Completed a todo",
    "reopen_todo": "Reopened a todo",
    "delete_todo": "Deleted a todo",
    "add_note": "Added a note",
    "share_todo": "Shared a todo",
    "confirm_collaboration": "Confirmed a collaboration",
    "withdraw_share": "Withdrew a share",
    "leave_todo": "Left a shared todo",
    "remove_collaborator": "Removed a collaborator",
}


def _toggled(todo_id: int | None) -> str | None:
    from todos.models import Status, Todo

    status = Todo.objects.filter(pk=todo_id).values_list("status", flat=True).first()
    if status is None:
        return None
    return "complete_todo" if status == Status.DONE else "reopen_todo"


def _deleted(todo_id: int | None) -> str | None:
    from todos.models import Todo

    # The view redirects both when it deleted and when it refused (not the owner).
    return None if Todo.objects.filter(pk=todo_id).exists() else "delete_todo"


# (URL name, method) → action, or a function of the todo id that decides after the fact.
PAGE_VIEWS: dict[str, str] = {"landing": "view_landing", "dashboard": "view_dashboard"}
FORM_POSTS: dict[str, str | Callable[[int | None], str | None]] = {
    "logout": "logout",
    "todos:add": "create_todo",
    "todos:update": "update_todo",
    "todos:toggle": _toggled,
    "todos:delete": _deleted,
    "todos:note_add": "add_note",
    "sharing:share": "share_todo",
    "sharing:confirm": "confirm_collaboration",
    "sharing:withdraw": "withdraw_share",
    "sharing:leave": "leave_todo",
    "sharing:remove": "remove_collaborator",
}


def action_for(view_name: str, method: str, status: int, todo_id: int | None) -> str | None:
    """The action a finished request stands for, or None if it is not (a successful) one."""
    if method == "GET" and status == 200:
        return PAGE_VIEWS.get(view_name)
    if method == "POST" and 300 <= status < 400:
        action = FORM_POSTS.get(view_name)
        return action(todo_id) if callable(action) else action
    return None


@dataclass
class NotedAction:
    action: str
    username: str | None = None
    todo_id: int | None = None


_NOTE_ATTRIBUTE = "_tracing_action"


def note_action(
    request: HttpRequest, action: str, *, username: str | None = None, todo_id: int | None = None
) -> None:
    """Name the action of this request (instead of the URL table), e.g. for a new user."""
    setattr(request, _NOTE_ATTRIBUTE, NotedAction(action, username, todo_id))


def noted_action(request: HttpRequest) -> NotedAction | None:
    return getattr(request, _NOTE_ATTRIBUTE, None)


def breadcrumb_item(
    *,
    username: str,
    action: str,
    path: str,
    method: str,
    status: int,
    todo_id: int | None,
    request_id: str | None,
    now: datetime.datetime | None = None,
) -> Item:
    now = now or datetime.datetime.now(datetime.UTC)
    expires = now + datetime.timedelta(days=settings.TRACING_RETENTION_DAYS)
    return {
        "pk": user_key(username),
        "sk": f"{sort_key_time(now)}#{uuid.uuid4()}",
        "action": action,
        "path": path[:1024],
        "method": method,
        "status": status,
        "todo_id": todo_id,
        "request_id": request_id,
        "ttl": int(expires.timestamp()),
    }


def user_key(username: str) -> str:
    return f"USER#{username}"


def breadcrumb_for(
    request: HttpRequest, response: HttpResponse, username: str | None
) -> Item | None:
    """The breadcrumb a finished request leaves, if any."""
    match = request.resolver_match
    todo_id = _todo_id(match.kwargs if match else {})
    noted = noted_action(request)
    if noted is not None:
        action, username = noted.action, noted.username or username
        todo_id = noted.todo_id or todo_id
    elif match is None or username is None:
        return None
    else:
        action = action_for(match.view_name, request.method or "", response.status_code, todo_id)
    if action is None or username is None:
        return None
    if todo_id is None:
        from tracing.logs import log_context_value

        todo_id = log_context_value("todo_id")  # e.g. the id of a todo just created
    return breadcrumb_item(
        username=username,
        action=action,
        path=request.path,
        method=request.method or "",
        status=response.status_code,
        todo_id=todo_id,
        request_id=getattr(request, "request_id", None),
    )


def _todo_id(kwargs: dict[str, object]) -> int | None:
    value = kwargs.get("todo_id")
    return value if isinstance(value, int) else None
