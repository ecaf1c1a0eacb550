"""Dates as people say them. Plain text out: the template escapes it like any other value."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


def _day(day: datetime.date, today: datetime.date) -> str:
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


@register.filter
def due_label(due: datetime.date | None, today: datetime.date) -> str:
    """ "today", "tomorrow", "overdue by 3 days" or "Tue 1 Dec" ("" without a date)."""
    if due is None:
        return ""
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "overdue by 1 day"
    if days < 0:
        return f"overdue by {-days} days"
    return _day(due, today)


@register.filter
def day_label(day: datetime.date | None, today: datetime.date) -> str:
    """ "today", "tomorrow", "yesterday" or "Tue 1 Dec", for dates that are not deadlines."""
    if day is None:
        return ""
    days = (day - today).days
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days) or _day(day, today)


@register.filter
def due_state(due: datetime.date | None, today: datetime.date) -> str:
    """ "overdue", "today" or "": the mark a due date gets on an open todo."""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    return "today" if due == today else ""


# The two filters of a <time datetime="…" data-local-time> element (static/js/app.js then
# shows it in the reader's zone). Django's `date` filter said the same ("c" and
# "D j M, H:i e") at about 0.1 ms a call, most of a list of notes' rendering time.
@register.filter(expects_localtime=True)
def iso_time(moment: datetime.datetime) -> str:
    """ISO 8601 with the offset, for the datetime attribute."""
    return moment.isoformat()


@register.filter(expects_localtime=True)
def time_label(moment: datetime.datetime) -> str:
    """ "Tue 1 Dec, 14:02 UTC", in the server's zone until the browser rewrites it."""
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M} {moment.tzname() or ''}".rstrip()


@register.simple_tag
def local_today() -> datetime.date:
    return timezone.localdate()
