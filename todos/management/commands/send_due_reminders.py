"""Emails the reminders due today (run daily: a scheduled task in AWS)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from todos.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Email the owner and collaborators of open todos with a reminder due today."

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_due_reminders()
        self.stdout.write(f"reminders sent: {run.sent}, emails: {run.emails}")
        if run.failed:
            # A non-zero exit makes the scheduled task show as failed; the reminders were
            # released and the next run retries them.
            raise CommandError(
                f"{len(run.failed)} reminder(s) could not be sent and will be retried: "
                + ", ".join(map(str, run.failed))
            )
