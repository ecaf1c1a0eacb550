from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from accounts.services import RegistrationError, register_user
from sharing.forms import ROLE_ERROR, InvitationForm, InvitedRegistrationForm, RoleForm
from sharing.mailbox import MailboxUnavailable, read_local_mailbox
from sharing.models import CollaborationRequest
from sharing.selectors import DEFAULT_ROLES, find_person, get_list_for_user, sharing_panel
from sharing.services import (
    AlreadyCollaborating,
    AlreadyPending,
    InvalidInvitation,
    SharingError,
    accept_invitation,
    change_role,
    confirm_collaboration,
    find_invitation,
    find_invitation_by_id,
    invite,
    leave_todo,
    read_invitation,
    remove_collaborator,
    resend_invitation,
    revoke_access,
    transfer_todo,
    withdraw_invitation,
    withdraw_request,
)
from todo_project.forms import error_text
from todo_project.ratelimits import ALL, ip_key, rate_limit
from todos.models import Todo, TodoList
from todos.permissions import Action, can
from todos.selectors import get_todo_for_user
from tracing.breadcrumbs import note_action


def _back(request: HttpRequest, target: Todo | TodoList) -> HttpResponse:
    if isinstance(target, TodoList):
        return redirect("sharing:list_sharing", list_id=target.pk)
    if request.POST.get("next") == "show":
        return redirect("todos:show", todo_id=target.pk)
    return redirect("dashboard")


def _recipient_key(group: str, request: HttpRequest) -> str:
    """The person a share names, however they are named (username or email address)."""
    name = request.POST.get("collaborator", "").strip()
    person = find_person(name) if name else None
    return f"user:{person.pk}" if person else f"name:{name.lower()}"


def _invitation_recipient_key(group: str, request: HttpRequest) -> str:
    """The person an invitation is for, counted with the shares that name them."""
    match = request.resolver_match
    invitation_id = int(match.kwargs["invitation_id"]) if match else 0
    row = (
        CollaborationRequest.objects.filter(pk=invitation_id)
        .values("collaborator_id", "email")
        .first()
    )
    if row is None:
        return "invitation:none"
    if row["collaborator_id"] is not None:
        return f"user:{row['collaborator_id']}"
    return f"name:{row['email']}"


def _share(request: AuthenticatedHttpRequest, target: Todo | TodoList) -> HttpResponse:
    thing = "todo" if isinstance(target, Todo) else "list"
    form = InvitationForm(request.POST, default_role=DEFAULT_ROLES[thing])
    if not form.is_valid():
        field = "role" if form.has_error("role") else "collaborator"
        messages.error(request, error_text(form, field, "Nobody to share with."))
        return _back(request, target)
    name, collaborator, email = (
        form.cleaned_data["name"],
        form.person(),
        form.cleaned_data["email"],
    )
    role = form.cleaned_data["role"]
    try:
        if collaborator is not None or email:
            invite(
                actor=request.user, target=target, collaborator=collaborator, email=email, role=role
            )
        elif not can(request.user, Action.SHARE, target):
            raise SharingError(f"Only the owner can share this {thing}.")
    except AlreadyPending:
        pass  # answered like a new invitation: the answer must not tell who has an account
    except SharingError as error:
        messages.error(request, str(error))
        return _back(request, target)
    # A username nobody has: nothing is recorded or sent, and the answer is the same. An
    # address nobody has: an invitation to register is recorded, and the answer is the same.
    note_action(request, f"share_{thing}", todo_id=target.pk if thing == "todo" else None)
    messages.success(
        request, f"Invitation to {name} is on its way; it stays pending until they confirm."
    )
    return _back(request, target)


@require_POST
@login_required
@rate_limit("share-owner", rate="RATE_LIMIT_SHARE_PER_OWNER")
@rate_limit("share-recipient", rate="RATE_LIMIT_SHARE_PER_RECIPIENT", key=_recipient_key)
def share(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    return _share(request, get_todo_for_user(request.user, todo_id))


@require_POST
@login_required
@rate_limit("share-owner", rate="RATE_LIMIT_SHARE_PER_OWNER")
@rate_limit("share-recipient", rate="RATE_LIMIT_SHARE_PER_RECIPIENT", key=_recipient_key)
def share_list(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    return _share(request, get_list_for_user(request.user, list_id))


@require_GET
@login_required
def list_sharing(request: AuthenticatedHttpRequest, list_id: int) -> HttpResponse:
    """A list's sharing panel on a page of its own (the list's page includes the panel)."""
    todo_list = get_list_for_user(request.user, list_id)
    return render(
        request,
        "sharing/list_sharing.html",
        {"todo_list": todo_list, "sharing": sharing_panel(todo_list, request.user)},
    )


def _target(request: AuthenticatedHttpRequest, kind: str, target_id: int) -> Todo | TodoList:
    if kind == "todo":
        return get_todo_for_user(request.user, target_id)
    return get_list_for_user(request.user, target_id)


def _after_panel_change(request: HttpRequest, target: Todo | TodoList) -> HttpResponse:
    if isinstance(target, Todo):
        return redirect("todos:show", todo_id=target.pk)
    return redirect("sharing:list_sharing", list_id=target.pk)


@require_POST
@login_required
def change_role_view(
    request: AuthenticatedHttpRequest, kind: str, target_id: int, user_id: int
) -> HttpResponse:
    target = _target(request, kind, target_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form, "role", ROLE_ERROR))
        return _after_panel_change(request, target)
    try:
        share = change_role(
            actor=request.user, target=target, user_id=user_id, role=form.cleaned_data["role"]
        )
    except SharingError as error:
        messages.error(request, str(error))
    else:
        note_action(request, "change_role", todo_id=target.pk if kind == "todo" else None)
        messages.success(request, f"{share.user} is now {share.get_role_display()}.")
    return _after_panel_change(request, target)


@require_POST
@login_required
def revoke(
    request: AuthenticatedHttpRequest, kind: str, target_id: int, user_id: int
) -> HttpResponse:
    target = _target(request, kind, target_id)
    try:
        person = revoke_access(actor=request.user, target=target, user_id=user_id)
    except SharingError as error:
        messages.error(request, str(error))
    else:
        note_action(request, "revoke_access", todo_id=target.pk if kind == "todo" else None)
        messages.success(request, f"{person} no longer has access.")
    return _after_panel_change(request, target)


@require_POST
@login_required
def transfer(request: AuthenticatedHttpRequest, todo_id: int, user_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    try:
        new_owner = transfer_todo(actor=request.user, todo=todo, new_owner_id=user_id)
    except SharingError as error:
        messages.error(request, str(error))
    else:
        note_action(request, "transfer_todo", todo_id=todo.pk)
        messages.success(
            request, f"“{todo.title}” now belongs to {new_owner}; you remain its Editor."
        )
    return redirect("todos:show", todo_id=todo.pk)


def _invitation_target(request: AuthenticatedHttpRequest, invitation_id: int) -> Todo | TodoList:
    """The target of an invitation the user can see; 404 for anyone else."""
    row = CollaborationRequest.objects.filter(pk=invitation_id).values("todo_id", "todo_list_id")
    found = row.first()
    if found is None:
        raise Http404("No such invitation.")
    if found["todo_id"] is not None:
        return get_todo_for_user(request.user, found["todo_id"])
    return get_list_for_user(request.user, found["todo_list_id"])


@require_POST
@login_required
def withdraw_invitation_view(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    target = _invitation_target(request, invitation_id)
    try:
        invitation = withdraw_invitation(actor=request.user, invitation_id=invitation_id)
    except SharingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The invitation to {invitation.invitee} was withdrawn.")
    if request.POST.get("next") == "dashboard":  # the dashboard's rows offer it too
        return redirect("dashboard")
    return _after_panel_change(request, target)


@require_POST
@login_required
@rate_limit("share-owner", rate="RATE_LIMIT_SHARE_PER_OWNER")
@rate_limit("share-recipient", rate="RATE_LIMIT_SHARE_PER_RECIPIENT", key=_invitation_recipient_key)
def resend(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    target = _invitation_target(request, invitation_id)
    try:
        invitation = resend_invitation(actor=request.user, invitation_id=invitation_id)
    except SharingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"The invitation to {invitation.invitee} is sent again, with a new link."
        )
    return _after_panel_change(request, target)


def _target_url(target: Todo | TodoList) -> str:
    if isinstance(target, Todo):
        return reverse("todos:show", args=[target.pk])
    return reverse("dashboard")


@require_http_methods(["GET", "POST"])
@rate_limit("confirm-ip", rate="RATE_LIMIT_CONFIRM", key=ip_key, method=ALL)
def invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """The link in an invitation email. A visitor who is not logged in reads what it is for
    and may register (for an invitation to an address with no account) or log in; a logged-in
    user sees the confirmation, and only the POST (with CSRF) changes anything."""
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("token", "")
    user = request.user
    if not user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        try:
            found = read_invitation(invitation_id=invitation_id, token=token)
        except InvalidInvitation as error:
            return _invalid_invitation(request, error)
        here = f"{request.path}?{urlencode({'token': token})}"
        return render(
            request,
            "sharing/invitation.html",
            {
                "invitation": found,
                "target": found.target,
                "login_url": f"{reverse('login')}?{urlencode({'next': here})}",
                "register_url": reverse("sharing:register", args=[found.pk])
                + f"?{urlencode({'token': token})}",
            },
        )
    assert isinstance(user, User)
    return _answer_invitation(
        request,
        token=token,
        accept=lambda: accept_invitation(user=user, invitation_id=invitation_id, token=token),
        find=lambda: find_invitation_by_id(user=user, invitation_id=invitation_id, token=token),
    )


def _invalid_invitation(request: HttpRequest, error: InvalidInvitation) -> HttpResponse:
    return render(
        request, "sharing/invitation_invalid.html", {"reason": str(error)}, status=error.status
    )


def _answer_invitation(
    request: HttpRequest,
    *,
    token: str,
    accept: Callable[[], Todo | TodoList],
    find: Callable[[], CollaborationRequest],
) -> HttpResponse:
    """A logged-in person's answer to an invitation link: the POST accepts it, a GET shows
    what it is for (a confirmation form posting to the invitation's own link)."""
    try:
        if request.method == "POST":
            target = accept()
            note_action(request, "confirm_collaboration", todo_id=target.pk)
            messages.success(request, f"You now collaborate on “{target}” with {target.owner}.")
            return redirect(_target_url(target))
        found = find()
    except AlreadyCollaborating as error:
        messages.info(request, str(error))
        return redirect(_target_url(error.target))
    except InvalidInvitation as error:
        return _invalid_invitation(request, error)
    return render(
        request,
        "sharing/confirm.html",
        {
            "invitation": found,
            "target": found.target,
            "todo": found.todo,
            "token": token,
            "action": reverse("sharing:invitation", args=[found.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
@rate_limit("register", rate="RATE_LIMIT_REGISTER", key=ip_key)
def register_invited(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Registration through an invitation to an address without an account: the invitation
    stands in for the invitation code. After registering, the person logs in and lands on
    the invitation's confirmation."""
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("token", "")
    try:
        found = read_invitation(invitation_id=invitation_id, token=token)
    except InvalidInvitation as error:
        return render(
            request, "sharing/invitation_invalid.html", {"reason": str(error)}, status=error.status
        )
    if found.collaborator_id is not None:
        return render(
            request,
            "sharing/invitation_invalid.html",
            {"reason": "This invitation is for someone who has an account already: log in."},
            status=400,
        )
    form = InvitedRegistrationForm(request.POST or None, invited_email=found.email)
    if request.method == "POST" and form.is_valid():
        try:
            register_user(username=form.cleaned_data["username"], email=form.cleaned_data["email"])
        except RegistrationError as error:
            form.add_error(error.field, str(error))
        else:
            note_action(request, "register", username=form.cleaned_data["username"])
            here = (
                reverse("sharing:invitation", args=[found.pk]) + f"?{urlencode({'token': token})}"
            )
            return render(
                request,
                "accounts/registered.html",
                {
                    "email": form.cleaned_data["email"],
                    "login_url": f"{reverse('login')}?{urlencode({'next': here})}",
                },
            )
    return render(
        request,
        "sharing/register.html",
        {"form": form, "invitation": found, "target": found.target, "token": token},
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit("confirm-ip", rate="RATE_LIMIT_CONFIRM", key=ip_key, method=ALL)
@rate_limit("confirm", rate="RATE_LIMIT_CONFIRM", method=ALL)
def confirm(request: AuthenticatedHttpRequest, todo_id: int, collaborator_id: int) -> HttpResponse:
    """The older form of link (a todo and a user), in emails sent before invitations had
    links of their own: answered as the invitation behind it."""
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("token", "")
    user = request.user
    return _answer_invitation(
        request,
        token=token,
        accept=lambda: confirm_collaboration(
            user=user, todo_id=todo_id, collaborator_id=collaborator_id, token=token
        ),
        find=lambda: find_invitation(
            user=user, todo_id=todo_id, collaborator_id=collaborator_id, token=token
        ),
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
    return _back(request, todo)


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
