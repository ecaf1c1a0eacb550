"""Sessions that follow Cognito: the refresh token of a login, kept encrypted in the session it
belongs to, and the re-check that asks Cognito whether the user may still be signed in.

Cognito refuses a refresh-token grant (invalid_grant) for a user who was disabled, deleted
or globally signed out, so one grant answers all three. The token is encrypted with Fernet
(keys derived from TOKEN_ENCRYPTION_KEY), so neither the session table nor a backup of it holds a
usable token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from todo_project.keys import derived_fernet_key
from tracing.metrics import count

logger = logging.getLogger(__name__)

# A re-check runs in the request path: the whole round trip stays within 2 s.
RECHECK_TIMEOUT_S = (1.0, 1.0)  # connect, read

REFRESH_TOKEN_KEY = "_cognito_refresh"  # noqa: S105 (a session key, not a secret)
CHECKED_AT_KEY = "_cognito_checked_at"


def fernet() -> MultiFernet:
    """Each secret of TOKEN_ENCRYPTION_KEY (newest first) as a Fernet key: SHA-256 of it, so
    that any long random string serves (Secrets Manager generates those, not Fernet keys)."""
    secrets = [key.strip() for key in settings.TOKEN_ENCRYPTION_KEY.split(",") if key.strip()]
    if not secrets:
        raise ValueError("TOKEN_ENCRYPTION_KEY is empty")
    return MultiFernet([Fernet(derived_fernet_key(secret)) for secret in secrets])


def encrypt_token(token: str) -> str:
    return fernet().encrypt(token.encode()).decode()


def decrypt_token(encrypted: str) -> str | None:
    try:
        return fernet().decrypt(encrypted.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def keep_refresh_token(session: SessionBase, refresh_token: str, now: float) -> None:
    if refresh_token:
        session[REFRESH_TOKEN_KEY] = encrypt_token(refresh_token)
    session[CHECKED_AT_KEY] = now


@dataclass(frozen=True)
class Recheck:
    still_signed_in: bool
    reached_cognito: bool


def recheck_with_cognito(refresh_token: str) -> Recheck:
    """Ask Cognito's token endpoint for fresh tokens. Refused (400 invalid_grant): the user
    may no longer be signed in. Unreachable or any other answer: we cannot tell, and the
    session goes on (an outage must not log everybody out); that is logged and counted."""
    try:
        response = requests.post(
            f"{settings.COGNITO_DOMAIN}/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": settings.COGNITO_CLIENT_ID,
                "refresh_token": refresh_token,
            },
            auth=(settings.COGNITO_CLIENT_ID, settings.COGNITO_CLIENT_SECRET),
            timeout=RECHECK_TIMEOUT_S,
        )
    except requests.RequestException as error:
        logger.warning("Cognito unreachable during a session re-check: %s", type(error).__name__)
        count("SessionRecheckFailed")
        return Recheck(still_signed_in=True, reached_cognito=False)
    if response.status_code == 200:
        return Recheck(still_signed_in=True, reached_cognito=True)
    error_code = _error_code(response)
    if response.status_code in (400, 401) and error_code in ("invalid_grant", "invalid_token"):
        return Recheck(still_signed_in=False, reached_cognito=True)
    logger.warning(
        "Cognito answered a session re-check with %s %s", response.status_code, error_code
    )
    count("SessionRecheckFailed")
    return Recheck(still_signed_in=True, reached_cognito=False)


def _error_code(response: requests.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""
