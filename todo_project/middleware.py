"""Response headers Django has no setting for."""

from collections.abc import Callable
from urllib.parse import urlsplit

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase


class PermissionsPolicyMiddleware:
    """Turns off browser features no page of ours uses (camera, microphone, location, …)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the two directives that name other origins filled in
    from the settings on each response (the Cognito domain and EXTERNAL_URL can change at
    run time, e.g. when tests start their own stand-ins)."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        parts.replace = {
            "form-action": [SELF, settings.COGNITO_DOMAIN],
            "connect-src": [SELF, websocket_origin(settings.EXTERNAL_URL)],
            **(parts.replace or {}),
        }
        return parts


def websocket_origin(external_url: str) -> str:
    """ws://host:port (wss:// behind HTTPS) of the app's own WebSocket."""
    external = urlsplit(external_url)
    return f"{'wss' if external.scheme == 'https' else 'ws'}://{external.netloc}"
