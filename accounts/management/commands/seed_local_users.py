from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import User


class Command(BaseCommand):
    help = (
        "Creates the local demo users (matching the Cognito stand-in's seed users by email); "
        "the first one is an admin. Existing users are left as they are."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args: Any, usernames: list[str], **options: Any) -> None:
        for index, username in enumerate(usernames):
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@stratospheric.dev",
                    "display_name": username.capitalize(),
                    "is_staff": index == 0,
                    "is_superuser": index == 0,
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                self.stdout.write(f"created {username}")
