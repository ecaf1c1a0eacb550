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
    """The link in the email. An invitation of a user to a todo keeps the link of the older
    form (todo and user in the path); every other one names the invitation."""
    if request.todo_id is not None and request.collaborator_id is not None:
        path = reverse("sharing:confirm", args=[request.todo_id, request.collaborator_id])
    else:
        path = reverse("sharing:invitation", args=[request.pk])
    return f"{settings.EXTERNAL_URL}{path}?{urlencode({'token': token})}"


def send_invitation(request: CollaborationRequest, token: str) -> None:
    """Email the invited user (or address) the link with `token`; call with the target, its
    owner and the collaborator loaded."""
    target = request.target
    context = {
        "todo": request.todo,
        "todo_list": request.todo_list,
        "thing": "todo" if request.todo_id is not None else "list",
        "target": target,
        "owner": target.owner,
        "role": request.get_role_display(),
        "collaborator": request.collaborator or request.email,
        "needs_account": request.collaborator_id is None,
        "confirm_url": confirm_url(request, token),
    }
    to = request.collaborator.email if request.collaborator is not None else request.email
    try:
        send_email("collaboration-invitation", to, context)
    except Exception as error:  # the backend raises whatever its transport raises
        raise EmailFailed(
            f"{type(error).__name__}: {error}", transient=is_transient(error)
        ) from error
