from typing import Any

from django.core.management.base import BaseCommand

from notices.due_soon import announce_due_soon


class Command(BaseCommand):
    help = (
        "Tells the watchers of every open todo due tomorrow, by toast or email as each chose "
        "(once per todo and due date; run it daily, e.g. beside send_due_reminders)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = announce_due_soon()
        self.stdout.write(f"announced {count} todo(s) due tomorrow")
