"""The attachments and reminders panel of a todo's page: one context for the page itself
(pages.views), its live fragments, and the panel the panel's script swaps in after a POST."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from todos.forms_extras import AttachmentForm, ReminderForm
from todos.models import Todo
from todos.permissions import Action, can, rights

PANEL_TEMPLATE = "todos/_attachments_reminders.html"
# Sent by the panel's script: answer with the panel alone instead of redirecting, so that
# nothing else typed on the page is lost.
FRAGMENT_HEADER = "X-Todo-Panel"


def panel_context(
    request: HttpRequest,
    todo: Todo,
    *,
    attachment_form: AttachmentForm | None = None,
    reminder_form: ReminderForm | None = None,
    notice: str = "",
) -> dict[str, Any]:
    user = request.user
    return {
        "todo": todo,
        "user": user,
        "request": request,
        "attachments": todo.attachments.select_related("uploaded_by"),
        "reminders": todo.reminders.all(),
        "attachment_form": attachment_form or AttachmentForm(),
        "reminder_form": reminder_form or ReminderForm(),
        "can_delete_any_attachment": can(user, Action.DELETE, todo),
        "can": rights(user, todo),
        "notice": notice,
    }


def wants_fragment(request: HttpRequest) -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


def render_panel(
    request: HttpRequest, todo: Todo, *, status: int = 200, **kwargs: Any
) -> HttpResponse:
    return render(request, PANEL_TEMPLATE, panel_context(request, todo, **kwargs), status=status)


def panel_answer(
    request: HttpRequest, todo: Todo, *, error: str = "", notice: str = "", **forms: Any
) -> HttpResponse:
    """The answer to a panel POST: the panel itself for the panel's script (400 with the
    rejected form when `error`), else a message and a redirect to the todo's page."""
    if wants_fragment(request):
        if error:
            return render_panel(request, todo, status=400, **forms)
        return render_panel(request, todo, notice=notice)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("todos:show", todo_id=todo.pk)
