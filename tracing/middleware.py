"""Request context for logs, request latency, and breadcrumbs.

RequestContextMiddleware comes first: it names the request (X-Request-Id, from the ALB's
X-Amzn-Trace-Id when present), and its one "request finished" line is both the access log
and the RequestLatency metric by view. BreadcrumbMiddleware comes after authentication: it
adds the user to the log context and hands the breadcrumb of a successful action to the
background writer (tracing/dynamo.py) — a queue put, nothing more, in the request path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tracing.breadcrumbs import breadcrumb_for
from tracing.dynamo import write_breadcrumb
from tracing.logs import bind_log_context, clear_log_context, request_id_from
from tracing.metrics import emf_record

logger = logging.getLogger("tracing.request")

REQUEST_ID_HEADER = "X-Request-Id"


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clear_log_context()  # threads are reused between requests
        request_id = request_id_from(request.headers.get("X-Amzn-Trace-Id"))
        request.request_id = request_id  # type: ignore[attr-defined]
        bind_log_context(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
            match = request.resolver_match
            view = match.view_name if match else "unresolved"
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    **emf_record("RequestLatency", elapsed_ms, "Milliseconds", {"View": view}),
                },
            )
            return response
        finally:
            clear_log_context()


class BreadcrumbMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Taken before the view runs: after a logout the request's user is anonymous.
        user = getattr(request, "user", None)
        username = user.get_username() if user is not None and user.is_authenticated else None
        if username is not None:
            bind_log_context(user_id=user.pk)  # type: ignore[union-attr]
        response = self.get_response(request)
        if settings.TRACING_ENABLED:
            item = breadcrumb_for(request, response, username)
            if item is not None:
                write_breadcrumb(item)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> None:
        bind_log_context(todo_id=view_kwargs.get("todo_id"))
