"""The activity page (tracing) names todos by their titles, which are the todos app's: the
page asks for them here, in one query, rather than tracing importing todos (todos already
imports tracing)."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django import template

from todos.selectors import todo_titles as titles_for

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_titles(context: template.Context, items: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """{todo id: title} for the todos the items name that the user may still see."""
    ids = {todo_id for item in items if (todo_id := _todo_id(item.get("todo_id"))) is not None}
    user = context["request"].user
    return titles_for(user, ids) if user.is_authenticated else {}


@register.filter
def title_of(titles: Mapping[int, str], todo_id: object) -> str:
    found = _todo_id(todo_id)
    return titles.get(found, "") if found is not None else ""


def _todo_id(value: object) -> int | None:
    """DynamoDB hands numbers back as Decimal."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    return int(value) if value == int(value) else None
