from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from accounts.models import User


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (allauth logs users in with it), except that the user lookup every
    logged-in request makes is one written-out query, for the reason given in
    accounts/sessions.py."""

    def get_user(self, user_id: Any) -> User | None:
        # user_id comes from django.contrib.auth.get_user, already an int.
        found = list(User.objects.raw("SELECT * FROM accounts_user WHERE id = %s", [user_id]))
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None
