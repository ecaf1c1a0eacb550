"""What a login leaves in its session: when it began, and Cognito's refresh token."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

from accounts.cognito import keep_refresh_token
from accounts.middleware import STARTED_KEY


def start_session_clock(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    request.session[STARTED_KEY] = time.time()


def remember_cognito_tokens(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    token = getattr(kwargs.get("sociallogin"), "token", None)
    keep_refresh_token(request.session, getattr(token, "token_secret", "") or "", time.time())
