"""The owner's lists: create, rename, archive, delete, reorder (and Editors of a shared list:
rename, archive). Each view fetches the list through the permission-checked getter and hands
the change to todos.lists."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from todo_project.forms import error_text
from todos.forms import ListNameForm
from todos.lists import (
    BadListName,
    ListGone,
    arrange_list,
    create_list,
    delete_list,
    rename_list,
    set_list_archived,
)
from todos.models import TodoList
from todos.permissions import NotAllowed, rights_at
from todos.selectors import ListChoice, get_list_for_user, lists_of
from tracing.breadcrumbs import note_action


@dataclass
class ListRow:
    list: ListChoice
    count: int
    can: Mapping[str, bool]
    first: bool = False
    last: bool = False


def _index(
    request: AuthenticatedHttpRequest, form: ListNameForm | None = None, status: int = 200
) -> HttpResponse:
    choices = lists_of(request.user)
    counts = dict(
        TodoList.objects.filter(pk__in=[choice.id for choice in choices])
        .annotate(n=Count("todos"))
        .values_list("pk", "n")
    )
    rows = [
        ListRow(choice, counts.get(choice.id, 0), rights_at(choice.level, TodoList))
        for choice in choices
    ]
    own = [row for row in rows if not row.list.owner_name]
    for kind in (False, True):  # first and last of each kind (active, archived) for Up/Down
        same = [row for row in own if row.list.archived is kind]
        for index, row in enumerate(same):
            row.first, row.last = index == 0, index == len(same) - 1
    context = {
        "form": form or ListNameForm(),
        "own": [row for row in own if not row.list.archived],
        "archived": [row for row in own if row.list.archived],
        "shared": [row for row in rows if row.list.owner_name],
    }
    return render(request, "lists/index.html", context, status=status)


@require_GET
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _index(request)


@require_POST
@login_required
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ListNameForm(request.POST)
    if form.is_valid():
        try:
            todo_list = create_list(actor=request.user, name=form.cleaned_data["name"])
        except BadListName as error:
            form.add_error("name", str(error))
        else:
            note_action(request, "create_list")
            messages.success(request, f"List “{todo_list.name}” was created.")
            return redirect("lists:show", list_id=todo_list.pk)
    return _index(request, form, status=400)


def _back(request: AuthenticatedHttpRequest, todo_list: TodoList) -> HttpResponse:
    if request.POST.get("next") == "show":
        return redirect("lists:show", list_id=todo_list.pk)
    return redirect("lists:index")


@require_POST
@login_required
def rename(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    todo_list = get_list_for_user(request.user, list_id)
    form = ListNameForm(request.POST)
    old = todo_list.name
    if not form.is_valid():
        messages.error(request, error_text(form, "name", "A list needs a name."))
        return _back(request, todo_list)
    try:
        rename_list(actor=request.user, todo_list=todo_list, name=form.cleaned_data["name"])
    except (BadListName, NotAllowed) as error:
        messages.error(request, str(error))
    except ListGone:
        return _gone(request)
    else:
        note_action(request, "rename_list")
        if todo_list.name != old:
            messages.success(request, f"“{old}” is now called “{todo_list.name}”.")
    return _back(request, todo_list)


@require_POST
@login_required
def archive(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    todo_list = get_list_for_user(request.user, list_id)
    archived = request.POST.get("archived") != "0"
    try:
        set_list_archived(actor=request.user, todo_list=todo_list, archived=archived)
    except NotAllowed as error:
        messages.error(request, str(error))
    except ListGone:
        return _gone(request)
    else:
        note_action(request, "archive_list" if archived else "unarchive_list")
        if archived:
            messages.success(
                request,
                f"“{todo_list.name}” is archived: its todos no longer show on the dashboard.",
            )
        else:
            messages.success(request, f"“{todo_list.name}” is active again.")
    return _back(request, todo_list)


@require_POST
@login_required
def delete(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    todo_list = get_list_for_user(request.user, list_id)
    try:
        delete_list(actor=request.user, todo_list=todo_list)
    except NotAllowed as error:
        messages.error(request, str(error))
        return _back(request, todo_list)
    except ListGone:
        messages.info(request, f"The list “{todo_list.name}” was deleted already.")
        return redirect("lists:index")
    note_action(request, "delete_list")
    messages.success(request, f"The list “{todo_list.name}” and its todos were deleted.")
    return redirect("lists:index")


@require_POST
@login_required
def arrange(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    todo_list = get_list_for_user(request.user, list_id)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        messages.error(request, "A list moves up or down.")
        return redirect("lists:index")
    try:
        arrange_list(actor=request.user, todo_list=todo_list, direction=direction)
    except NotAllowed as error:
        messages.error(request, str(error))
    except ListGone:
        return _gone(request)
    return redirect("lists:index")


def _gone(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list was deleted while the request was on its way."""
    return render(request, "lists/gone.html", status=404)
