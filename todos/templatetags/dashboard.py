"""The dashboard's table rows, rendered in Python.

A user may have hundreds of todos, and Django's template language spends tens of
microseconds on every variable, tag and filter: for 100 rows that was most of the time of a
dashboard request (see bench/dashboard.py). These rows are plain f-strings; every value that
comes from a user goes through `escape`, exactly as the template language would do.
"""

import datetime
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from sharing.dashboard import SharingCells, people_list
from todos.models import Priority, Status

register = template.Library()

PRIORITY_LABELS = dict(Priority.choices)
STATUS_LABELS = dict(Status.choices)


def url_prefix(name: str) -> str:
    """`/todo/show/` for `todos:show`: reversed once per request, not once per row."""
    url = reverse(name, args=[0])
    return url.removesuffix("0")


@register.simple_tag(takes_context=True)
def todo_rows(context: template.Context, rows: list[dict[str, Any]]) -> SafeString:
    """<tr> elements for `dashboard_rows()`; the status buttons submit the form with the id
    `toggle-form`, which carries the one CSRF token."""
    viewer_id = context["user"].pk
    today: datetime.date = timezone.localdate()
    show, edit = url_prefix("todos:show"), url_prefix("todos:edit")
    sharing = SharingCells(str(context["csrf_token"]))
    html = []
    for row in rows:
        pk, status, due_date = row["id"], row["status"], row["due_date"]
        is_open = status == Status.OPEN
        shared = ""
        if row["owner_id"] != viewer_id:
            owner = escape(row["owner__display_name"] or row["owner__username"])
            shared = f' <span class="badge text-bg-light border fw-normal">shared by {owner}</span>'
        row_class = "" if is_open else ' class="todo-done"'
        overdue = is_open and due_date is not None and due_date < today
        due_class = ' class="overdue"' if overdue else ""
        status_label, new_status = ("Done", "DONE") if is_open else ("Reopen", "OPEN")
        status_url = reverse("todos:set_status", args=[pk])
        html.append(
            f'<tr id="todo-{pk}" data-todo-id="{pk}"{row_class}>'
            f'<td><a class="todo-title" href="{show}{pk}">{escape(row["title"])}</a>{shared}</td>'
            f"<td{due_class}>{due_date.isoformat() if due_date else ''}</td>"
            f'<td><span class="badge badge-priority-{row["priority"]}">'
            f"{PRIORITY_LABELS[row['priority']]}</span></td>"
            f"<td>{STATUS_LABELS[status]}</td>"
            f"<td>{row['collaborator_count']}{sharing.pending(row)}</td>"
            '<td class="text-end text-nowrap">'
            '<button class="btn btn-sm btn-outline-success" type="submit" form="toggle-form"'
            f' formaction="{status_url}" name="status" value="{new_status}">'
            f"{status_label}</button> "
            f'<a class="btn btn-sm btn-outline-secondary" href="{edit}{pk}">Edit</a>'
            f"{sharing.share_menu(row, viewer_id)}</td></tr>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every user-supplied value is escaped above


@register.simple_tag
def share_people(people: list[tuple[str, str]]) -> SafeString:
    """The one list of people every share menu on the page suggests."""
    return mark_safe(people_list(people))  # noqa: S308 - people_list escapes every value
