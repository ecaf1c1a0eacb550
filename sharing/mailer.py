"""The invitation email, sent through SES by todo_project.emails."""

from urllib.parse import urlencode

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.urls import reverse

from sharing.models import CollaborationRequest
from todo_project.emails import send_email

# SES error codes that say "not now" rather than "never": worth waiting for.
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalServerError",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


class EmailFailed(Exception):
    """SES did not take the email. `transient`: throttling, a 5xx, a timeout or no
    connection, so the same email will likely go through later."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def is_transient(error: BaseException) -> bool:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in TRANSIENT_CODES or int(status) >= 500
    # Connection refused or reset, timeouts: everything botocore raises itself.
    return isinstance(error, BotoCoreError | OSError)


def confirm_url(request: CollaborationRequest, token: str) -> str:
    path = reverse("sharing:confirm", args=[request.todo_id, request.collaborator_id])
    return f"{settings.EXTERNAL_URL}{path}?{urlencode({'token': token})}"


def send_invitation(request: CollaborationRequest, token: str) -> None:
    """Email the invited user the link with `token`; call with todo, todo.owner and
    collaborator loaded."""
    todo = request.todo
    context = {
        "todo": todo,
        "owner": todo.owner,
        "collaborator": request.collaborator,
        "confirm_url": confirm_url(request, token),
    }
    try:
        send_email("collaboration-invitation", request.collaborator.email, context)
    except Exception as error:  # the backend raises whatever its transport raises
        raise EmailFailed(
            f"{type(error).__name__}: {error}", transient=is_transient(error)
        ) from error
