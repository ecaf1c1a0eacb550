"""Watching a todo and choosing its assignees, from its page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from todos.assignees import assign, unassign
from todos.selectors import get_todo_for_user
from todos.services import NotAllowed, TodoDeleted
from todos.views import todo_deleted_page
from todos.watching import set_watching
from tracing.breadcrumbs import note_action


@require_POST
@login_required
def watch(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    choice = request.POST.get("watching")
    if choice not in ("1", "0"):
        messages.error(request, "Choose to watch or to stop watching.")
        return redirect("todos:show", todo_id=todo.pk)
    set_watching(todo=todo, user=request.user, watching=choice == "1")
    note_action(request, "watch_todo" if choice == "1" else "unwatch_todo", todo_id=todo.pk)
    messages.success(
        request,
        f"You watch “{todo.title}”."
        if choice == "1"
        else f"You no longer watch “{todo.title}”; you will not hear of its changes.",
    )
    return redirect("todos:show", todo_id=todo.pk)


def _person(raw: str | None) -> User | None:
    if not raw or not raw.isdigit():
        return None
    return User.objects.filter(pk=int(raw), is_active=True).first()


@require_POST
@login_required
def assignee_add(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    person = _person(request.POST.get("user"))
    if person is None:
        messages.error(request, "Choose someone to assign.")
        return redirect("todos:show", todo_id=todo.pk)
    try:
        added = assign(todo=todo, actor=request.user, user=person)
    except NotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("todos:show", todo_id=todo.pk)
    except TodoDeleted:
        return todo_deleted_page(request)
    note_action(request, "assign_todo", todo_id=todo.pk)
    if added:
        messages.success(request, f"{person} is assigned to “{todo.title}”.")
    else:
        messages.info(request, f"{person} was assigned already.")
    return redirect("todos:show", todo_id=todo.pk)


@require_POST
@login_required
def assignee_remove(request: AuthenticatedHttpRequest, todo_id: int, user_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    person = _person(str(user_id))
    if person is None:
        messages.error(request, "There is no such person.")
        return redirect("todos:show", todo_id=todo.pk)
    try:
        removed = unassign(todo=todo, actor=request.user, user=person)
    except NotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("todos:show", todo_id=todo.pk)
    note_action(request, "unassign_todo", todo_id=todo.pk)
    if removed:
        messages.success(request, f"{person} is no longer assigned to “{todo.title}”.")
    else:
        messages.info(request, f"{person} was not assigned.")
    return redirect("todos:show", todo_id=todo.pk)
