from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from todos.forms import NoteForm, TodoForm
from todos.models import Status
from todos.panel import wants_fragment
from todos.selectors import get_todo_for_user, todo_notes
from todos.services import (
    NotAllowed,
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
        todo = create_todo(owner=request.user, **form.cleaned_data)
        note_action(request, "create_todo", todo_id=todo.pk)
        messages.success(request, f"Todo “{todo.title}” was created.")
        return redirect("dashboard")
    return render(request, "todos/edit.html", {"form": form, "todo": None})


@require_GET
@login_required
def edit(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    return render(request, "todos/edit.html", {"form": TodoForm(instance=todo), "todo": todo})


@require_POST
@login_required
def update(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    form = TodoForm(request.POST, instance=todo)
    if not form.is_valid():
        # Validation copied the rejected values onto `todo`; the page shows the saved ones.
        todo.refresh_from_db()
        return render(request, "todos/edit.html", {"form": form, "todo": todo})
    update_todo(todo=todo, actor=request.user, **form.cleaned_data)
    note_action(request, "update_todo", todo_id=todo.pk)
    messages.success(request, f"Todo “{todo.title}” was updated.")
    return redirect("todos:show", todo_id=todo.pk)


@require_POST
@login_required
def set_status(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    if request.POST.get("status") not in Status.values:
        return HttpResponseBadRequest("The status must be OPEN or DONE.")
    set_todo_status(todo=todo, actor=request.user, status=Status(request.POST["status"]))
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
    note_action(request, "delete_todo", todo_id=todo_id)
    messages.success(request, f"Todo “{title}” was deleted.")
    return redirect("dashboard")


@require_POST
@login_required
def note_add(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        add_note(todo=todo, author=request.user, text=form.cleaned_data["text"])
        note_action(request, "add_note", todo_id=todo.pk)
    context = {"todo": todo, "notes": todo_notes(todo), "note_form": form}
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
