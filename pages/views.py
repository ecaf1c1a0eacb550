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
from django.urls import reverse
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
from todos.history import history_limit, todo_history
from todos.models import Priority, Todo, TodoList
from todos.panel import panel_context
from todos.permissions import Action, can, level_of, rights, rights_at, role_name
from todos.selectors import (
    TodoForPage,
    get_list_for_user,
    get_todo_for_page,
    lists_of,
    todo_list_page,
    todo_notes,
)
from todos.watching import watch_state


@dataclass
class DashboardRow:
    todo: Mapping[str, Any]
    pending: list[PendingInvitation]
    can: Mapping[str, bool]  # todos.permissions.rights for the row, from the level read with it


def _dashboard_context(
    request: AuthenticatedHttpRequest, todo_list: TodoList | None = None
) -> dict[str, Any]:
    """The dashboard's list (or, given `todo_list`, that list's page's)."""
    lists = lists_of(request.user) if todo_list is None else []
    query = read_query(request.GET, {choice.id for choice in lists})
    page = todo_list_page(request.user, query, page=read_page(request.GET), todo_list=todo_list)
    own_ids = [row["id"] for row in page.rows if row["owner_id"] == request.user.pk]
    pending = pending_of(request.user, own_ids)
    return {
        "query": query,
        "params": query_params(query),
        "page": page,
        "rows": [
            DashboardRow(row, pending.get(row["id"], []), rights_at(row["level"], Todo))
            for row in page.rows
        ],
        "priorities": Priority.choices,
        "priority_labels": dict(Priority.choices),
        "sorts": SORT_LABELS,
        "filtered": query != type(query)(search=query.search, sort=query.sort),
        "user_id": request.user.pk,
        "lists": lists,
        "todo_list": todo_list,
        "list_can": rights(request.user, todo_list) if todo_list else {},
        # Where the list's links lead back to: the dashboard, or the list's page.
        "base_url": reverse("dashboard")
        if todo_list is None
        else reverse("lists:show", args=[todo_list.pk]),
        "add_url": reverse("todos:add")
        if todo_list is None
        else f"{reverse('todos:add')}?list={todo_list.pk}",
    }


# The list (counts, rows, page links) is the dashboard's hot partial, in Jinja2 (settings).
LIST_TEMPLATE = "pages/dashboard_list.html"


@require_GET
@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = _dashboard_context(request)
    # The output of an autoescaping template, placed into the page as it is. Jinja2 gets a
    # copy: its backend adds a csrf_token to the dict it is given that masks the token anew
    # at every use, which would then shadow the page's own (computed once per render).
    context["list_html"] = mark_safe(  # noqa: S308
        render_to_string(LIST_TEMPLATE, {**context}, request, using="jinja2")
    )
    return render(request, "pages/dashboard.html", context)


@require_GET
@login_required
def dashboard_rows(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The live part of the dashboard (counts, rows, page links) for the same parameters."""
    return render(request, LIST_TEMPLATE, _dashboard_context(request), using="jinja2")


@require_GET
@login_required
def list_page(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    """One list's todos, with the dashboard's paging, search, filters and sort; 404 for a
    list the user cannot see (or one deleted meanwhile)."""
    todo_list = get_list_for_user(request.user, list_id)
    context = _dashboard_context(request, todo_list)
    context["my_list_role"] = role_name(level_of(request.user, todo_list))
    context["list_html"] = mark_safe(  # noqa: S308 - as in `dashboard`
        render_to_string(LIST_TEMPLATE, context, request, using="jinja2")
    )
    return render(request, "pages/list.html", context)


@require_GET
@login_required
def list_rows(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    """The live part of a list's page; 404 once the list is gone or no longer shared."""
    todo_list = get_list_for_user(request.user, list_id)
    return render(request, LIST_TEMPLATE, _dashboard_context(request, todo_list), using="jinja2")


def _todo_context(request: AuthenticatedHttpRequest, page: TodoForPage) -> dict[str, Any]:
    """Everything the todo's page shows; each list is read once."""
    todo = page.todo
    is_owner = can(request.user, Action.SHARE, todo)
    context = panel_context(request, todo)
    context.update(
        is_owner=is_owner,
        my_role=role_name(level_of(request.user, todo)),
        collaborators=page.people,
        sharing=sharing_panel(todo, request.user, people=page.people),
        notes=todo_notes(todo),
        history_limit=history_limit(request.GET.get("history")),
        **_people_context(request, page),
    )
    return context


def _people_context(request: AuthenticatedHttpRequest, page: TodoForPage) -> dict[str, Any]:
    """The assignees part: who is assigned, whom one may assign, whether the viewer watches."""
    assignees = page.assignees
    assigned_ids = {person.pk for person in assignees}
    return {
        "assignees": assignees,
        "assignable": [person for person in page.assignable if person.pk not in assigned_ids],
        "watch": watch_state(
            request.user,
            page.todo,
            level=level_of(request.user, page.todo),
            explicit=page.my_watch,
            commented=page.i_commented,
            assigned=request.user.pk in assigned_ids,
        ),
    }


@require_GET
@login_required
def show(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    context = _todo_context(request, get_todo_for_page(request.user, todo_id))
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
    "assignees": "todos/_assignees.html",
    "history": "todos/_history.html",
}


@require_GET
@login_required
def todo_part(request: AuthenticatedHttpRequest, todo_id: int, part: str) -> HttpResponse:
    """One live panel of a todo's page; 404 once the todo is gone or no longer shared."""
    if part not in TODO_PARTS:
        raise Http404("No such part of a todo's page.")
    page = get_todo_for_page(request.user, todo_id)
    todo = page.todo
    is_owner = can(request.user, Action.SHARE, todo)
    context: dict[str, Any] = {
        "todo": todo,
        "user": request.user,
        "can": rights(request.user, todo),
        "is_owner": is_owner,
    }
    if part == "summary":
        context.update(collaborators=page.people, my_role=role_name(level_of(request.user, todo)))
    elif part == "collaborators":
        context["sharing"] = sharing_panel(todo, request.user)
    elif part == "notes":
        context["notes"] = todo_notes(todo)
    elif part == "note_form":
        context["note_form"] = NoteForm()
    elif part == "assignees":
        context.update(_people_context(request, page))
    elif part == "history":
        limit = history_limit(request.GET.get("limit"))
        entries, older = todo_history(todo, limit=limit)
        context.update(history=entries, history_older=older, history_limit=limit)
    else:
        context = panel_context(request, todo)
    return render(request, TODO_PARTS[part], context)


@require_GET
@login_required
@suggestions_rate_limit
def people_suggestions(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Whom to invite, as the share dialog's field is typed in: {"people": [{username, name}]}."""
    return JsonResponse({"people": suggest_people(request.user, request.GET.get("q", "")[:150])})
