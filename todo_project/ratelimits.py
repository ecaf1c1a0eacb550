"""Rate limits (django-ratelimit), keyed per user and per client IP, with a 429 page.

`rate_limit(group, rate=…, key=…)` decorates a view. Rates name a setting (read on each
request, so tests and operators can change them); counters live in the shared "ratelimit"
cache (PostgreSQL, accounts/ratelimit_cache.py), so every web process counts together.
Over the limit the view does not run: nothing is created or sent, and the visitor reads
when to try again (also in Retry-After).
"""

from __future__ import annotations

import functools
import ipaddress
import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit import ALL as ALL  # views pass it as `method`
from django_ratelimit.core import get_usage

from tracing.metrics import count

View = TypeVar("View", bound=Callable[..., Any])
Key = str | Callable[[str, HttpRequest], str]


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind TRUSTED_PROXY_HOPS proxies that append to
    X-Forwarded-For, the entry the outermost of them added (counted from the right: what a
    client writes into the header itself is further left and never trusted)."""
    peer = str(request.META.get("REMOTE_ADDR") or "0.0.0.0")  # noqa: S104
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return peer
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer


def user_key(group: str, request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def ip_key(group: str, request: HttpRequest) -> str:
    return f"ip:{client_ip(request)}"


def post_field_key(field: str) -> Callable[[str, HttpRequest], str]:
    """The value of a POST field, trimmed and in lower case (say, whom a todo is shared with)."""

    def key(group: str, request: HttpRequest) -> str:
        return f"{field}:{request.POST.get(field, '').strip().lower()}"

    return key


def rate_limit(
    group: str, *, rate: str, key: Key = user_key, method: str | tuple[None] = "POST"
) -> Callable[[View], View]:
    """Refuse the view with 429 once `key` has used up the rate named by the setting `rate`
    (e.g. "RATE_LIMIT_CONFIRM" = "30/h") within `group`. Requests of other methods pass
    (`method=ALL` counts every request). Put it inside `login_required`, so that it counts
    only requests that would reach the view."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            usage = get_usage(
                request,
                group=group,
                key=key,
                rate=getattr(settings, rate),
                method=method,
                increment=True,
            )
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, group, int(usage["time_left"]))
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


def suggestions_rate_limit(view: View) -> View:
    """For the share dialog's suggestions endpoint (GET): per user and per client IP."""
    per_user = rate_limit("suggestions", rate="RATE_LIMIT_SUGGESTIONS", method=ALL)
    per_ip = rate_limit("suggestions-ip", rate="RATE_LIMIT_PER_IP", key=ip_key, method=ALL)
    return per_ip(per_user(view))


def too_many_requests(request: HttpRequest, group: str, seconds_left: int) -> HttpResponse:
    count("RateLimited", Group=group)
    seconds = max(1, seconds_left)
    minutes = math.ceil(seconds / 60)
    response = render(
        request,
        "429.html",
        {"seconds": seconds, "minutes": minutes, "hours": math.ceil(seconds / 3600)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
