from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from todo_project.forms import error_text
from todos.forms_extras import ReminderForm
from todos.models import Reminder
from todos.panel import panel_answer
from todos.reminders import ReminderRejected, add_reminder, delete_reminder
from todos.selectors import get_todo_for_user
from todos.services import TodoDeleted
from todos.views import todo_deleted_page
from tracing.breadcrumbs import note_action


@require_POST
@login_required
def reminder_add(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    form = ReminderForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            reminder = add_reminder(
                todo=todo, actor=request.user, remind_on=form.cleaned_data["remind_on"]
            )
        except ReminderRejected as rejected:
            error = str(rejected)
            form.add_error("remind_on", error)
        except TodoDeleted:
            return todo_deleted_page(request)
    else:
        error = error_text(form, "remind_on", "The reminder was rejected.")
    if error:
        return panel_answer(
            request, todo, error=f"The reminder was not added: {error}", reminder_form=form
        )
    note_action(request, "add_reminder", todo_id=todo.pk)
    return panel_answer(
        request, todo, notice=f"You will be reminded on {reminder.remind_on:%Y-%m-%d}."
    )


@require_POST
@login_required
def reminder_delete(
    request: AuthenticatedHttpRequest, todo_id: int, reminder_id: int
) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    reminder = get_object_or_404(Reminder, pk=reminder_id, todo=todo)
    delete_reminder(reminder=reminder, actor=request.user)
    note_action(request, "remove_reminder", todo_id=todo.pk)
    messages.success(request, f"The reminder on {reminder.remind_on:%Y-%m-%d} was removed.")
    return redirect("todos:show", todo_id=todo.pk)
