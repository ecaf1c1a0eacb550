"""Only the app's own pages may open a socket: the Origin must match the scheme, host and
port of EXTERNAL_URL or of one of CSRF_TRUSTED_ORIGINS (a host name alone is not enough:
`http://app:9999` or `https://app` are other origins than `http://app:8100`)."""

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import OriginValidator
from django.conf import settings


def allowed_origins() -> list[str]:
    external = urlsplit(settings.EXTERNAL_URL)
    return [f"{external.scheme}://{external.netloc}", *settings.CSRF_TRUSTED_ORIGINS]


class SameOriginValidator(OriginValidator):
    """channels' validator, with the allowed origins read from the settings on each
    connection; each one names a scheme, so scheme and port are compared too."""

    def __init__(self, application: Any) -> None:
        super().__init__(application, [])

    def valid_origin(self, parsed_origin: Any) -> bool:
        self.allowed_origins = allowed_origins()
        return bool(super().valid_origin(parsed_origin))
