"""Pages that show data of several apps, and the fragments that keep them live.

Each app's selectors return data; these views put it together. A fragment (a dashboard's
rows, one panel of a todo's page) has a URL of its own, so that a push fetches only what it
changed; fragments are not page views and leave no breadcrumb (tracing.breadcrumbs)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from pages.listing import SORT_LABELS, query_params, read_page, read_query
from sharing.selectors import (
    PendingInvitation,
    sharing_panel,
    suggest_people,
)
from sharing.selectors import pending_invitations as pending_of
from todo_project.ratelimits import suggestions_rate_limit
from todos.forms import NoteForm
from todos.models import Priority, Todo
from todos.panel import panel_context
from todos.permissions import Action, can, level_of, rights, role_name
from todos.selectors import (
    get_todo_for_user,
    todo_list_page,
    todo_notes,
    todo_people,
)


@dataclass
class DashboardRow:
    todo: Mapping[str, Any]
    pending: list[PendingInvitation]


def _dashboard_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    query = read_query(request.GET)
    page = todo_list_page(request.user, query, page=read_page(request.GET))
    own_ids = [row["id"] for row in page.rows if row["owner_id"] == request.user.pk]
    pending = pending_of(request.user, own_ids)
    return {
        "query": query,
        "params": query_params(query),
        "page": page,
        "rows": [DashboardRow(row, pending.get(row["id"], [])) for row in page.rows],
        "priorities": Priority.choices,
        "priority_labels": dict(Priority.choices),
        "sorts": SORT_LABELS,
        "filtered": query != type(query)(search=query.search, sort=query.sort),
        "user_id": request.user.pk,
    }


# The list (counts, rows, page links) is the dashboard's hot partial, in Jinja2 (settings).
LIST_TEMPLATE = "pages/dashboard_list.html"


@require_GET
@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = _dashboard_context(request)
    # The output of an autoescaping template, placed into the page as it is.
    context["list_html"] = mark_safe(  # noqa: S308
        render_to_string(LIST_TEMPLATE, context, request, using="jinja2")
    )
    return render(request, "pages/dashboard.html", context)


@require_GET
@login_required
def dashboard_rows(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The live part of the dashboard (counts, rows, page links) for the same parameters."""
    return render(request, LIST_TEMPLATE, _dashboard_context(request), using="jinja2")


def _todo_context(request: AuthenticatedHttpRequest, todo: Todo) -> dict[str, Any]:
    """Everything the todo's page shows; each list is read once."""
    is_owner = can(request.user, Action.SHARE, todo)
    context = panel_context(request, todo)
    people = todo_people(todo)
    context.update(
        is_owner=is_owner,
        my_role=role_name(level_of(request.user, todo)),
        collaborators=people,
        sharing=sharing_panel(todo, request.user, people=people),
        notes=todo_notes(todo),
    )
    return context


@require_GET
@login_required
def show(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    context = _todo_context(request, todo)
    context["note_form"] = NoteForm()
    return render(request, "pages/todo.html", context)


TODO_PARTS = {
    "summary": "pages/_todo_summary.html",
    "collaborators": "pages/_todo_collaborators.html",
    "notes": "todos/_note_list.html",
    "attachments": "todos/_attachment_list.html",
    "reminders": "todos/_reminder_list.html",
    # The parts that hold forms a role gates; a page fetches them when its user's rights
    # change (an `access_changed` push), so that forms appear or go without a reload.
    "note_form": "todos/_note_form.html",
    "attachment_form": "todos/_attachment_form.html",
    "reminder_form": "todos/_reminder_form.html",
}


@require_GET
@login_required
def todo_part(request: AuthenticatedHttpRequest, todo_id: int, part: str) -> HttpResponse:
    """One live panel of a todo's page; 404 once the todo is gone or no longer shared."""
    if part not in TODO_PARTS:
        raise Http404("No such part of a todo's page.")
    todo = get_todo_for_user(request.user, todo_id)
    is_owner = can(request.user, Action.SHARE, todo)
    context: dict[str, Any] = {
        "todo": todo,
        "user": request.user,
        "can": rights(request.user, todo),
        "is_owner": is_owner,
    }
    if part == "summary":
        context.update(
            collaborators=todo_people(todo), my_role=role_name(level_of(request.user, todo))
        )
    elif part == "collaborators":
        context["sharing"] = sharing_panel(todo, request.user)
    elif part == "notes":
        context["notes"] = todo_notes(todo)
    elif part == "note_form":
        context["note_form"] = NoteForm()
    else:
        context = panel_context(request, todo)
    return render(request, TODO_PARTS[part], context)


@require_GET
@login_required
@suggestions_rate_limit
def people_suggestions(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Whom to invite, as the share dialog's field is typed in: {"people": [{username, name}]}."""
    return JsonResponse({"people": suggest_people(request.user, request.GET.get("q", "")[:150])})
