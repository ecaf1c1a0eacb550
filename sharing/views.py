from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from sharing.forms import InvitationForm
from sharing.mailbox import MailboxUnavailable, read_local_mailbox
from sharing.selectors import find_person
from sharing.services import (
    AlreadyCollaborating,
    AlreadyPending,
    InvalidInvitation,
    SharingError,
    confirm_collaboration,
    find_invitation,
    leave_todo,
    remove_collaborator,
    share_todo,
    withdraw_request,
)
from todo_project.forms import error_text
from todo_project.ratelimits import ALL, ip_key, rate_limit
from todos.permissions import Action, can
from todos.selectors import get_todo_for_user
from tracing.breadcrumbs import note_action


def _back(request: HttpRequest, todo_id: int) -> HttpResponse:
    if request.POST.get("next") == "show":
        return redirect("todos:show", todo_id=todo_id)
    return redirect("dashboard")


def _recipient_key(group: str, request: HttpRequest) -> str:
    """The person a share names, however they are named (username or email address)."""
    name = request.POST.get("collaborator", "").strip()
    person = find_person(name) if name else None
    return f"user:{person.pk}" if person else f"name:{name.lower()}"


@require_POST
@login_required
@rate_limit("share-owner", rate="RATE_LIMIT_SHARE_PER_OWNER")
@rate_limit("share-recipient", rate="RATE_LIMIT_SHARE_PER_RECIPIENT", key=_recipient_key)
def share(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form, "collaborator", "Nobody to share with."))
        return _back(request, todo.pk)
    name, collaborator = form.cleaned_data["name"], form.person()
    try:
        if collaborator is not None:
            share_todo(owner=request.user, todo=todo, collaborator=collaborator)
        elif not can(request.user, Action.SHARE, todo):
            raise SharingError("Only the owner can share this todo.")
    except AlreadyPending:
        pass  # answered like a new invitation: the answer must not tell who has an account
    except SharingError as error:
        messages.error(request, str(error))
        return _back(request, todo.pk)
    # Nobody by that name: nothing is recorded or sent, and the answer is the same.
    note_action(request, "share_todo", todo_id=todo.pk)
    messages.success(
        request, f"Invitation to {name} is on its way; it stays pending until they confirm."
    )
    return _back(request, todo.pk)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit("confirm-ip", rate="RATE_LIMIT_CONFIRM", key=ip_key, method=ALL)
@rate_limit("confirm", rate="RATE_LIMIT_CONFIRM", method=ALL)
def confirm(request: AuthenticatedHttpRequest, todo_id: int, collaborator_id: int) -> HttpResponse:
    """GET shows what the invitation is for; only the POST (with CSRF) changes anything."""
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("token", "")
    try:
        if request.method == "POST":
            todo = confirm_collaboration(
                user=request.user, todo_id=todo_id, collaborator_id=collaborator_id, token=token
            )
            note_action(request, "confirm_collaboration", todo_id=todo.pk)
            messages.success(request, f"You now collaborate on “{todo.title}” with {todo.owner}.")
            return redirect("todos:show", todo_id=todo.pk)
        invitation = find_invitation(
            user=request.user, todo_id=todo_id, collaborator_id=collaborator_id, token=token
        )
    except AlreadyCollaborating as error:
        messages.info(request, str(error))
        return redirect("todos:show", todo_id=error.todo_id)
    except InvalidInvitation as error:
        return render(
            request, "sharing/invitation_invalid.html", {"reason": str(error)}, status=error.status
        )
    return render(
        request,
        "sharing/confirm.html",
        {"invitation": invitation, "todo": invitation.todo, "token": token},
    )


@require_POST
@login_required
def withdraw(request: AuthenticatedHttpRequest, todo_id: int, collaborator_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    try:
        collaborator = withdraw_request(
            owner=request.user, todo=todo, collaborator_id=collaborator_id
        )
    except SharingError as error:
        messages.error(request, str(error))
    else:
        note_action(request, "withdraw_share", todo_id=todo.pk)
        messages.success(request, f"The invitation to {collaborator} was withdrawn.")
    return _back(request, todo.pk)


@require_POST
@login_required
def leave(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    try:
        leave_todo(user=request.user, todo=todo)
    except SharingError as error:
        messages.error(request, str(error))
        return redirect("todos:show", todo_id=todo.pk)
    note_action(request, "leave_todo", todo_id=todo.pk)
    messages.success(request, f"You no longer collaborate on “{todo.title}”.")
    return redirect("dashboard")


@require_POST
@login_required
def remove(request: AuthenticatedHttpRequest, todo_id: int, collaborator_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    try:
        collaborator = remove_collaborator(
            owner=request.user, todo=todo, collaborator_id=collaborator_id
        )
    except SharingError as error:
        messages.error(request, str(error))
    else:
        note_action(request, "remove_collaborator", todo_id=todo.pk)
        messages.success(request, f"{collaborator} no longer collaborates on this todo.")
    return redirect("todos:show", todo_id=todo.pk)


@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    """Local development only: what the local SES (moto server) has sent."""
    if not settings.DEBUG:
        raise Http404("The local mailbox exists only in development.")
    try:
        emails, error = read_local_mailbox(), None
    except MailboxUnavailable as unavailable:
        emails, error = [], str(unavailable)
    return render(request, "sharing/mailbox.html", {"emails": emails, "error": error})
