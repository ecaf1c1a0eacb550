import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from todo_project.forms import error_text
from todos.forms import MoveTodoForm, NoteForm, TodoAddForm, TodoEditForm, TodoForm, conflict_rows
from todos.lists import ListGone, move_todo
from todos.models import Status, Todo, TodoList
from todos.panel import wants_fragment
from todos.permissions import Action, can, require, rights
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
    """`?list=<id>` chooses the list (a list's page links here); the Inbox otherwise."""
    asked = request.GET.get("list", "")
    initial_list = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 18 else None
    form = TodoAddForm(request.POST or None, user=request.user, initial_list=initial_list)
    if request.method == "POST" and form.is_valid():
        try:
            todo = create_todo(actor=request.user, **form.cleaned_data)
        except NotAllowed as error:  # their role changed since the form was shown
            form.add_error("todo_list", str(error))
        else:
            note_action(request, "create_todo", todo_id=todo.pk)
            where = "" if todo.todo_list.is_inbox else f" in “{todo.todo_list}”"
            messages.success(request, f"Todo “{todo.title}” was created{where}.")
            if initial_list is not None:
                return redirect("lists:show", list_id=todo.todo_list_id)
            return redirect("dashboard")
    return render(request, "todos/edit.html", {"form": form, "todo": None})


@require_GET
@login_required
def edit(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    require(request.user, Action.EDIT, todo)
    context: dict[str, Any] = {"form": TodoEditForm(instance=todo), "todo": todo}
    if can(request.user, Action.MOVE, todo):
        context["move_lists"] = list(TodoList.objects.filter(owner_id=todo.owner_id))
    return render(request, "todos/edit.html", context)


@require_POST
@login_required
def move(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    """Move the todo to another of its owner's lists (the owner only)."""
    todo = get_todo_for_user(request.user, todo_id)
    form = MoveTodoForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form, "todo_list", "Choose a list."))
        return redirect("todos:show", todo_id=todo.pk)
    to_list = TodoList.objects.filter(pk=form.cleaned_data["todo_list"]).first()
    if to_list is None:
        messages.error(request, "That list no longer exists; the todo was not moved.")
        return redirect("todos:show", todo_id=todo.pk)
    try:
        move_todo(actor=request.user, todo=todo, to_list=to_list)
    except NotAllowed as error:
        messages.error(request, f"{error} The todo was not moved.")
        return redirect("todos:show", todo_id=todo.pk)
    except ListGone:
        messages.error(request, "That list no longer exists; the todo was not moved.")
        return redirect("todos:show", todo_id=todo.pk)
    except TodoDeleted:
        return todo_deleted_page(request)
    note_action(request, "move_todo", todo_id=todo.pk)
    messages.success(request, f"Todo “{todo.title}” moved to “{to_list.name}”.")
    return redirect("todos:show", todo_id=todo.pk)


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
