"""What a login leaves in its session: when it began, and Cognito's refresh token."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

from accounts.cognito import keep_refresh_token
from accounts.middleware import start_session_clock


def remember_login(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = time.time()
    start_session_clock(request, now)
    sociallogin = kwargs.get("sociallogin")
    token = getattr(sociallogin, "token", None)
    keep_refresh_token(request.session, getattr(token, "token_secret", "") or "", now)
