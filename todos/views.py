import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from todos.forms import NoteForm, TodoEditForm, TodoForm, conflict_rows
from todos.models import Status, Todo
from todos.panel import wants_fragment
from todos.permissions import Action, require, rights
from todos.selectors import get_todo_for_user, todo_notes
from todos.services import (
    EditConflict,
    NotAllowed,
    TodoDeleted,
    add_note,
    create_todo,
    delete_todo,
    set_todo_status,
    update_todo,
)
from tracing.breadcrumbs import note_action


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "todos/landing.html")


@require_http_methods(["GET", "POST"])
@login_required
def add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TodoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        todo = create_todo(actor=request.user, **form.cleaned_data)
        note_action(request, "create_todo", todo_id=todo.pk)
        messages.success(request, f"Todo “{todo.title}” was created.")
        return redirect("dashboard")
    return render(request, "todos/edit.html", {"form": form, "todo": None})


@require_GET
@login_required
def edit(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    require(request.user, Action.EDIT, todo)
    return render(request, "todos/edit.html", {"form": TodoEditForm(instance=todo), "todo": todo})


@require_POST
@login_required
def update(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    # Validation copies the submitted values onto the form's instance; `todo` keeps the
    # saved ones for the page.
    form = TodoEditForm(request.POST, instance=copy.copy(todo))
    if not form.is_valid():
        return render(request, "todos/edit.html", {"form": form, "todo": todo})
    changes = {name: form.cleaned_data[name] for name in TodoForm.Meta.fields}
    try:
        update_todo(todo=todo, actor=request.user, version=form.cleaned_data["version"], **changes)
    except TodoDeleted:
        return todo_deleted_page(request)
    except EditConflict as conflict:
        return _render_conflict(request, form, conflict.current)
    note_action(request, "update_todo", todo_id=todo.pk)
    messages.success(request, f"Todo “{todo.title}” was updated.")
    return redirect("todos:show", todo_id=todo.pk)


def _render_conflict(
    request: AuthenticatedHttpRequest, submitted: TodoEditForm, current: Todo
) -> HttpResponse:
    """The edit form again, holding everything the person typed, now on the current
    version (saving it again applies their values), beside what the other person saved."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = TodoEditForm(data, instance=copy.copy(current))
    context = {
        "form": form,
        "todo": current,
        "conflict": {"current": current, "rows": conflict_rows(submitted, current)},
    }
    return render(request, "todos/edit.html", context, status=409)


def todo_deleted_page(request: HttpRequest) -> HttpResponse:
    """The answer to a write on a todo deleted while the request was on its way. The page
    also holds a todo panel saying so, for the panel's script to swap in."""
    return render(request, "todos/deleted.html", status=404)


@require_POST
@login_required
def set_status(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    if request.POST.get("status") not in Status.values:
        return HttpResponseBadRequest("The status must be OPEN or DONE.")
    try:
        set_todo_status(todo=todo, actor=request.user, status=Status(request.POST["status"]))
    except TodoDeleted:
        return todo_deleted_page(request)
    done = todo.status == Status.DONE
    note_action(request, "complete_todo" if done else "reopen_todo", todo_id=todo.pk)
    if wants_fragment(request):
        return HttpResponse(status=204)  # the dashboard's script refreshes the row itself
    messages.success(request, f"Todo “{todo.title}” is {'done' if done else 'open again'}.")
    if request.POST.get("next") == "show":
        return redirect("todos:show", todo_id=todo.pk)
    return redirect("dashboard")


@require_POST
@login_required
def delete(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    title = todo.title
    try:
        delete_todo(todo=todo, actor=request.user)
    except NotAllowed as error:
        messages.error(request, str(error))
        return redirect("todos:show", todo_id=todo.pk)
    except TodoDeleted:
        # A second press of Delete, or a second tab: what was asked for has happened.
        messages.info(request, f"Todo “{title}” was deleted already.")
        return redirect("dashboard")
    note_action(request, "delete_todo", todo_id=todo_id)
    messages.success(request, f"Todo “{title}” was deleted.")
    return redirect("dashboard")


@require_POST
@login_required
def note_add(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            add_note(todo=todo, author=request.user, text=form.cleaned_data["text"])
        except TodoDeleted:
            return todo_deleted_page(request)
        note_action(request, "add_note", todo_id=todo.pk)
    context = {
        "todo": todo,
        "notes": todo_notes(todo),
        "note_form": form,
        "can": rights(request.user, todo),
    }
    if wants_fragment(request):
        # The notes panel's script: the panel again, with a fresh form or the rejected text.
        if not form.errors:
            context["note_form"] = NoteForm()
        return render(
            request, "todos/_notes_panel.html", context, status=400 if form.errors else 200
        )
    if form.errors:
        return render(request, "todos/note_rejected.html", context)
    messages.success(request, "Note added.")
    return redirect("todos:show", todo_id=todo.pk)
