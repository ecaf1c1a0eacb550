"""ASGI entry point: HTTP through Django, WebSockets through Channels, and the lifespan that
starts and stops this process's push relay."""

import logging
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")

django_http = get_asgi_application()

# Imported after Django is set up: they touch models and settings.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from notifications.publishing import stop_publisher  # noqa: E402
from notifications.relay import start_relay, stop_relay  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402

logger = logging.getLogger(__name__)


async def http(scope, receive, send):  # type: ignore[no-untyped-def]
    # The load balancer's liveness probe is answered here, before Django's middleware,
    # so that it costs next to nothing and never touches the database.
    if scope["path"] == "/health":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"status": "ok"}'})
        return
    await django_http(scope, receive, send)


async def lifespan(scope, receive, send):  # type: ignore[no-untyped-def]
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                start_relay()  # returns at once; the relay connects on its own thread
            except Exception as error:
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            stop_relay()
            stop_publisher()
            await send({"type": "lifespan.shutdown.complete"})
            return


application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
        "lifespan": lifespan,
    }
)
