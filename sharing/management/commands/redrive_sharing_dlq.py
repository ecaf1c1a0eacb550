from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sharing.queue import QueueUnavailable, redrive_dead_letters


class Command(BaseCommand):
    help = (
        "Moves the messages in the sharing dead-letter queue back to the sharing queue, so that "
        "the worker tries them again (after fixing what made them fail)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-messages", type=int, default=None, help="stop after moving this many"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            moved = redrive_dead_letters(max_messages=options["max_messages"])
        except QueueUnavailable as error:
            raise CommandError(f"SQS is unreachable: {error}") from error
        self.stdout.write(f"moved {moved} message(s) from the dead-letter queue back")
