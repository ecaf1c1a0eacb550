"""ASGI entry point: HTTP through Django, WebSockets through Channels, and the lifespan that
starts and stops this process's push relay.

HTTP requests run Django's *WSGI* handler on a small thread pool (a2wsgi), not Django's ASGI
handler. Our views and middleware are synchronous; under Django's ASGI handler every one of
them hops into the one "thread-sensitive" thread and back (two hops per middleware, one per
view), which made a logged-in dashboard many times slower (see bench/dashboard.py and
README). Here a request costs one hop into the pool, sync code runs as under gunicorn, and
the event loop stays free for WebSockets.
"""

import asyncio
import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")

# Each pool thread keeps its own database connection (CONN_MAX_AGE), so this also bounds the
# connections one web process holds.
django_http = WSGIMiddleware(
    # Django's handler returns its response object, an iterable of bytes as WSGI wants,
    # which its type stubs do not say.
    get_wsgi_application(),  # type: ignore[arg-type]
    workers=int(os.environ.get("WEB_THREADS", "8")),
)

HEALTH_BODY = b'{"status": "ok"}'
HEALTH_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]

# Imported after Django is set up: they touch models and settings.
from channels.routing import ProtocolTypeRouter  # noqa: E402

from notifications.auth import SessionUserMiddleware  # noqa: E402
from notifications.origin import SameOriginValidator  # noqa: E402
from notifications.publishing import stop_publisher  # noqa: E402
from notifications.relay import start_relay, stop_relay  # noqa: E402
from notifications.routing import websocket_routes  # noqa: E402
from tracing.dynamo import stop_writer  # noqa: E402


async def http(scope, receive, send):  # type: ignore[no-untyped-def]
    # The load balancer's liveness probe is answered here, before Django's middleware,
    # so that it costs next to nothing and never touches the database.
    if scope["path"] == "/health":
        await send({"type": "http.response.start", "status": 200, "headers": HEALTH_HEADERS})
        await send({"type": "http.response.body", "body": HEALTH_BODY})
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
            # Every request has finished by now (uvicorn drains them first), so every
            # breadcrumb is in the buffer. The exit hook cannot be relied on: a process that
            # dies by its signal (each of several uvicorn workers does) never runs it.
            await asyncio.to_thread(stop_writer)
            await send({"type": "lifespan.shutdown.complete"})
            return


application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": SameOriginValidator(SessionUserMiddleware(websocket_routes)),
        "lifespan": lifespan,
    }
)
