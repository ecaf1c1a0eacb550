"""Login is the one action without a URL of its own (it ends in allauth's callback)."""

from typing import Any

from django.http import HttpRequest

from tracing.breadcrumbs import note_action
from tracing.logs import bind_log_context


def note_login(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
    note_action(request, "login", username=user.get_username())
    bind_log_context(user_id=user.pk)
