"""The Jinja2 environment of the dashboard's list (templates in pages/jinja2/): Django's URL
reversing, the page's query links and the date words, as in the Django templates."""

from functools import lru_cache
from typing import Any

from django.http import QueryDict
from django.urls import get_script_prefix, reverse
from jinja2 import Environment

from pages.templatetags.dates import day_label, due_label, due_state


def url(name: str, *args: Any) -> str:
    return _reverse(get_script_prefix(), name, args)


# A todo's URLs never change while the process runs, and reverse() was the largest part of
# rendering the list (fifty rows, four URLs each, a push re-rendering the same rows again).
@lru_cache(maxsize=20_000)
def _reverse(prefix: str, name: str, args: tuple[Any, ...]) -> str:
    return reverse(name, args=args)


def query_link(params: QueryDict, **changes: Any) -> str:
    """`?…` for the page's parameters with `changes` (None drops a parameter)."""
    query = params.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = str(value)
    return f"?{query.urlencode()}"


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's backend turns autoescape on
    env.globals.update(url=url, query_link=query_link)
    env.filters.update(due_label=due_label, day_label=day_label, due_state=due_state)
    return env
