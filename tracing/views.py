import datetime
import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tracing.breadcrumbs import ACTION_LABELS, ACTIVITY_DAYS, PAGE_VIEWS, user_key
from tracing.dynamo import query_since, sort_key_time
from tracing.health import FAILED, OK, SKIPPED, run_checks

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
PAGE_VIEW_ACTIONS = frozenset(PAGE_VIEWS.values())
# Signed so that a cursor can only be one this app handed out; it holds a sort key only,
# and the partition is always the signed-in user's own.
_CURSOR_SALT = "tracing.activity.cursor"


@require_GET
@login_required
def activity(request: HttpRequest) -> HttpResponse:
    since = sort_key_time(
        datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=ACTIVITY_DAYS)
    )
    after = None
    if "cursor" in request.GET:
        after = _read_cursor(request.GET["cursor"], since)
        if after is None:
            messages.warning(request, "That page link was not valid; showing the newest first.")
    try:
        pk = user_key(request.user.get_username())
        page = query_since(pk, since, limit=PAGE_SIZE, after=after)
    except (BotoCoreError, ClientError) as error:
        logger.warning("activity unavailable: %s", error)
        return render(request, "tracing/activity.html", {"unavailable": True}, status=503)
    # Page views are hidden unless asked for: what people did matters more than where they looked.
    show_views = request.GET.get("views") == "1"
    items = [item for item in page.items if show_views or item["action"] not in PAGE_VIEW_ACTIONS]
    for item in items:
        item["label"] = ACTION_LABELS.get(item["action"], item["action"])
        item["time"] = datetime.datetime.strptime(
            item["sk"].split("#", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ"
        ).replace(tzinfo=datetime.UTC)
    next_cursor = (
        signing.dumps(page.last_sort_key, salt=_CURSOR_SALT) if page.last_sort_key else None
    )
    return render(
        request,
        "tracing/activity.html",
        {
            "items": items,
            "hidden_views": len(page.items) - len(items),
            "show_views": show_views,
            "next_cursor": next_cursor,
            "days": ACTIVITY_DAYS,
        },
    )


def _read_cursor(cursor: str, since: str) -> str | None:
    try:
        sort_key = signing.loads(cursor, salt=_CURSOR_SALT)
    except signing.BadSignature:
        return None
    # A cursor older than the window would start outside the query's key range.
    if not isinstance(sort_key, str) or sort_key < since:
        return None
    return sort_key


@never_cache
@require_GET
def health_ready(request: HttpRequest) -> JsonResponse:
    """Anyone may ask, so the answer names each check and says ok, skipped or failed, and
    nothing more; why a check failed (an exception's text) goes to the log only."""
    checks = run_checks()
    failed = sorted(name for name, result in checks.items() if result not in (OK, SKIPPED))
    if failed:
        logger.warning(
            "not ready: %s",
            "; ".join(f"{name}: {checks[name]}" for name in failed),
            extra={"checks": checks},
        )
    shown = {name: result if result in (OK, SKIPPED) else FAILED for name, result in checks.items()}
    return JsonResponse(
        {"status": "failing" if failed else "ok", "failed": failed, "checks": shown},
        status=503 if failed else 200,
    )
