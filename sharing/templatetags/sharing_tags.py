from typing import Any

from django import template

from accounts.models import User
from sharing.selectors import todo_collaboration
from todos.models import Todo

register = template.Library()


@register.inclusion_tag("sharing/todo_collaborators.html")
def collaboration_panel(todo: Todo, user: User) -> dict[str, Any]:
    """Who collaborates on the todo, pending invitations, and the leave/remove/withdraw
    buttons this user may use."""
    collaborators, pending = todo_collaboration(todo)
    return {
        "todo": todo,
        "user": user,
        "is_owner": todo.is_owned_by(user),
        "collaborators": collaborators,
        "pending": pending,
    }
