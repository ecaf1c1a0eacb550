"""ASGI entry point: HTTP through Django, and (from the push feature on) WebSockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")

django_http = get_asgi_application()


async def application(scope, receive, send):  # type: ignore[no-untyped-def]
    # The load balancer's liveness probe is answered here, before Django's middleware,
    # so that it costs next to nothing and never touches the database.
    if scope["type"] == "http" and scope["path"] == "/health":
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
