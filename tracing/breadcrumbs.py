"""Which requests are user actions worth a breadcrumb, and what the breadcrumb holds.

Page views (landing, dashboard) are actions whenever they answer 200. Every other action is
named by the code that knows it succeeded — the view, after its service returned, or
allauth's login signal — with `note_action(request, "share_todo", todo_id=…)`: a refused
share, a form shown again with errors or a stranger's 404 leave nothing.
BreadcrumbMiddleware turns what was noted into one breadcrumb after the response.
"""

from __future__ import annotations

import datetime
import uuid
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
    "add_attachment": "Attached a file",
    "delete_attachment": "Deleted an attached file",
    "add_reminder": "Set a reminder",
    "remove_reminder": "Removed a reminder",
    "share_todo": "Shared a todo",
    "confirm_collaboration": "Confirmed a collaboration",
    "withdraw_share": "Withdrew a share",
    "leave_todo": "Left a shared todo",
    "remove_collaborator": "Removed a collaborator",
}


# Sent by static/js/live.js with every fragment it fetches.
LIVE_REFRESH_HEADER = "X-Live-Refresh"

# GET pages whose every successful view is an action.
PAGE_VIEWS: dict[str, str] = {"landing": "view_landing", "dashboard": "view_dashboard"}


def action_for(view_name: str, method: str, status: int) -> str | None:
    """The action a page view stands for, or None if it is not a (successful) one."""
    if method == "GET" and status == 200:
        return PAGE_VIEWS.get(view_name)
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
    """The breadcrumb a finished request leaves, if any. A live page's own refresh (a
    fragment fetched because of a push, marked with LIVE_REFRESH_HEADER) is not something
    the user did, and leaves none."""
    if request.headers.get(LIVE_REFRESH_HEADER):
        return None
    match = request.resolver_match
    todo_id = _todo_id(match.kwargs if match else {})
    noted = noted_action(request)
    action: str | None
    if noted is not None:
        action, username = noted.action, noted.username or username
        todo_id = noted.todo_id or todo_id
    elif match is None or username is None:
        return None
    else:
        action = action_for(match.view_name, request.method or "", response.status_code)
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
