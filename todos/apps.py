from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


def create_inbox(sender: object, instance: Any, created: bool, **kwargs: Any) -> None:
    """Every account has an Inbox from its first login on."""
    if created and not kwargs.get("raw"):
        from todos.models import TodoList

        TodoList.objects.inbox_for(instance.pk)


class TodosConfig(AppConfig):
    name = "todos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_save.connect(
            create_inbox, sender=settings.AUTH_USER_MODEL, dispatch_uid="todos.create_inbox"
        )
