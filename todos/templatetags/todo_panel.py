from typing import Any

from django import template

from todos.models import Todo
from todos.panel import PANEL_TEMPLATE, panel_context

register = template.Library()


@register.inclusion_tag(PANEL_TEMPLATE, takes_context=True)
def attachments_and_reminders(context: template.Context, todo: Todo) -> dict[str, Any]:
    panel = panel_context(context["request"], todo)
    panel["csrf_token"] = context.get("csrf_token")
    return panel
