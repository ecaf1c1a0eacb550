from typing import Any

from django.core import checks


@checks.register(checks.Tags.security, deploy=False)
def check_token_encryption_key(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """An empty TOKEN_ENCRYPTION_KEY would fail every Cognito login."""
    from accounts.cognito import fernet

    try:
        fernet()
    except ValueError as error:
        return [
            checks.Error(
                f"TOKEN_ENCRYPTION_KEY cannot be used: {error}",
                hint="A long random string; several comma-separated, newest first.",
                id="accounts.E001",
            )
        ]
    return []
