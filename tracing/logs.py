"""Structured logs: every log line on stdout is one JSON object.

Every process (web and worker) uses the stdlib `logging` API as before; the formatter built
here (referenced from settings.LOGGING) renders each record as JSON with `time`, `level`,
`logger`, `message`, any `extra={...}` fields, and the request context bound with
`bind_log_context` (request_id, user_id, todo_id). CloudWatch EMF records (tracing/metrics.py)
go through the same formatter: an EMF record is a JSON object with a top-level `_aws` key, so
the metric line and the log envelope are one and the same object.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from django.http import HttpRequest
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars


def _drop_terminal_copies(logger: object, method: str, event: dict[str, Any]) -> dict[str, Any]:
    event.pop("color_message", None)  # uvicorn's ANSI-coloured duplicate of the message
    return event


# A path followed by a query string, as in "GET /todo/1/confirm?token=abc" or a request's repr.
_PATH_WITH_QUERY = re.compile(r"(/[^\s?#'\"<>]*)\?[^\s#'\"<>]*")
REDACTED_QUERY = "?[redacted]"


def redact_query(text: str) -> str:
    """Query strings carry secrets (an invitation link's token): logs keep the path only."""
    return _PATH_WITH_QUERY.sub(lambda match: match.group(1) + REDACTED_QUERY, text)


def _redact_query_strings(logger: object, method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if isinstance(value, HttpRequest):
            # django.request puts the request in its records; its repr has the full URL.
            event[key] = f"{value.method} {value.path}"
        elif isinstance(value, str) and "?" in value:
            event[key] = redact_query(value)
    return event


_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.ExtraAdder(),
    _drop_terminal_copies,
    _redact_query_strings,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
]


def json_formatter() -> logging.Formatter:
    """The one log formatter (settings.LOGGING's "json" formatter)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.EventRenamer("message"),
            structlog.processors.JSONRenderer(default=str),
        ],
    )


# Code that prefers structlog's API gets the same output through the stdlib handlers.
structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)


def bind_log_context(**values: object) -> None:
    """Add fields (user_id, todo_id, …) to every log line of the current request or task."""
    bind_contextvars(**{key: value for key, value in values.items() if value is not None})


def log_context_value(key: str) -> Any:
    return get_contextvars().get(key)


def clear_log_context() -> None:
    clear_contextvars()


@contextmanager
def log_context(**values: object) -> Iterator[None]:
    """Bind fields for the duration of one unit of work (a worker's message, say)."""
    with structlog.contextvars.bound_contextvars(
        **{key: value for key, value in values.items() if value is not None}
    ):
        yield


# The ALB's header looks like "Self=1-…;Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1".
_TRACE_ROOT = re.compile(r"(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})(?:;|$)")


def request_id_from(amzn_trace_id: str | None) -> str:
    """The ALB's trace root when the header carries a well-formed one, else a new id.

    Anything else in the header is ignored so that a client cannot inject text into logs.
    """
    match = _TRACE_ROOT.search(amzn_trace_id or "")
    return match.group(1) if match else uuid.uuid4().hex
