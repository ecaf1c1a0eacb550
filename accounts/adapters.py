"""Maps Cognito's claims onto our user model when someone logs in."""

from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest

from accounts.models import User


class CognitoAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> User:
        user: User = super().populate_user(request, sociallogin, data)
        claims = sociallogin.account.extra_data
        username = claims.get("username") or claims.get("cognito:username") or ""
        if username:
            user.username = username
        user.display_name = claims.get("name") or username
        return user

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # Everyone Cognito lets in gets an account here: Cognito is the gatekeeper.
        return True
