"""The invitation email, sent through SES by todo_project.emails."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from sharing.models import CollaborationRequest
from todo_project.emails import send_email


class EmailFailed(Exception):
    """SES (or whatever the email backend talks to) did not take the email."""


def confirm_url(request: CollaborationRequest) -> str:
    path = reverse("sharing:confirm", args=[request.todo_id, request.collaborator_id])
    return f"{settings.EXTERNAL_URL}{path}?{urlencode({'token': request.token})}"


def send_invitation(request: CollaborationRequest) -> None:
    """Email the invited user; call with todo, todo.owner and collaborator loaded."""
    todo = request.todo
    context = {
        "todo": todo,
        "owner": todo.owner,
        "collaborator": request.collaborator,
        "confirm_url": confirm_url(request),
    }
    try:
        send_email("collaboration-invitation", request.collaborator.email, context)
    except Exception as error:  # the backend raises whatever its transport raises
        raise EmailFailed(f"{type(error).__name__}: {error}") from error
