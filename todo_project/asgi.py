"""ASGI entry point: HTTP through Django, and (from the push feature on) WebSockets.

HTTP requests run Django's *WSGI* handler on a small thread pool (a2wsgi), not Django's ASGI
handler. Our views and middleware are synchronous; under Django's ASGI handler every one of
them hops into the one "thread-sensitive" thread and back (two hops per middleware, one per
view), which made a logged-in dashboard many times slower (see bench/dashboard.py and
README). Here a request costs one hop into the pool, sync code runs as under gunicorn, and
the event loop stays free for WebSockets, added below as a "websocket" route.
"""

import os

from a2wsgi import WSGIMiddleware
from channels.routing import ProtocolTypeRouter
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")

# Each pool thread keeps its own database connection (CONN_MAX_AGE), so this also bounds the
# connections one web process holds.
django_http = WSGIMiddleware(
    get_wsgi_application(), workers=int(os.environ.get("WEB_THREADS", "8"))
)

HEALTH_BODY = b'{"status": "ok"}'
HEALTH_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]


async def http_application(scope, receive, send):  # type: ignore[no-untyped-def]
    # The load balancer's liveness probe is answered here, before Django's middleware,
    # so that it costs next to nothing and never touches the database.
    if scope["path"] == "/health":
        await send({"type": "http.response.start", "status": 200, "headers": HEALTH_HEADERS})
        await send({"type": "http.response.body", "body": HEALTH_BODY})
        return
    await django_http(scope, receive, send)


application = ProtocolTypeRouter({"http": http_application})
