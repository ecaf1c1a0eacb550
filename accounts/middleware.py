"""How long a session lives: an idle timeout, an absolute lifetime, and Cognito's word.

Runs after AuthenticationMiddleware on every request of a logged-in user. The session's
expiry in the database (Django's own session table) is kept at the earlier of "idle timeout
from now" and "absolute lifetime from login", so an expired session is simply not found
again, by a page or by a WebSocket's re-check. To spare a session write on every request,
the expiry is moved only when it would move by more than EXPIRY_SLACK_S.

Sessions of a Cognito login carry an encrypted refresh token; at most every
SESSION_RECHECK_SECONDS the user is re-checked with Cognito, and logged out if refused.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from accounts.cognito import (
    CHECKED_AT_KEY,
    REFRESH_TOKEN_KEY,
    decrypt_token,
    recheck_with_cognito,
)

logger = logging.getLogger(__name__)

STARTED_KEY = "_session_started"
EXPIRY_SLACK_S = 60
# While Cognito cannot be reached, a session asks again after this long, not on every request.
RECHECK_RETRY_S = 60


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self.enforce(request)
        return self.get_response(request)

    def enforce(self, request: HttpRequest) -> None:
        session = request.session
        now = time.time()
        started = session.get(STARTED_KEY)
        if not isinstance(started, (int, float)):
            started = now
            session[STARTED_KEY] = started
        end_of_life = started + settings.SESSION_MAX_AGE_SECONDS
        if now >= end_of_life:
            end_session(request, "its lifetime is over")
            return
        if not self.cognito_agrees(request, now):
            end_session(request, "Cognito no longer signs the user in")
            return
        deadline = min(now + settings.SESSION_IDLE_SECONDS, end_of_life)
        current = session.get_expiry_date()
        if abs(current.timestamp() - deadline) > EXPIRY_SLACK_S:
            session.set_expiry(datetime.datetime.fromtimestamp(deadline, tz=datetime.UTC))

    def cognito_agrees(self, request: HttpRequest, now: float) -> bool:
        session = request.session
        encrypted = session.get(REFRESH_TOKEN_KEY)
        if not encrypted:
            return True  # not a Cognito login (an admin's test client, say): nothing to ask
        checked_at = session.get(CHECKED_AT_KEY, 0)
        if now - checked_at < settings.SESSION_RECHECK_SECONDS:
            return True
        token = decrypt_token(encrypted)
        if token is None:
            logger.warning("a session's refresh token cannot be decrypted (key rotated?)")
            return False
        result = recheck_with_cognito(token)
        if not result.still_signed_in:
            return False
        retry_early = settings.SESSION_RECHECK_SECONDS - RECHECK_RETRY_S
        session[CHECKED_AT_KEY] = now if result.reached_cognito else now - retry_early
        return True


def end_session(request: HttpRequest, reason: str) -> None:
    logger.info("session of user %s ended: %s", request.user.pk, reason)
    logout(request)  # deletes the session row; its sockets close (notifications/sockets.py)
