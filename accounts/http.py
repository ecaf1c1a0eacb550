from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request type of views behind `login_required`, where `request.user` is a User
    (never AnonymousUser): for the type checker only."""

    user: User
