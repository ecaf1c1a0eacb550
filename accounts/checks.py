from typing import Any

from django.core import checks


@checks.register(checks.Tags.security, deploy=False)
def check_token_encryption_key(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """A TOKEN_ENCRYPTION_KEY that Fernet cannot use would fail every Cognito login."""
    from accounts.cognito import fernet

    try:
        fernet()
    except ValueError as error:
        return [
            checks.Error(
                f"TOKEN_ENCRYPTION_KEY is not a list of Fernet keys: {error}",
                hint="Fernet.generate_key(); several keys comma-separated, newest first.",
                id="accounts.E001",
            )
        ]
    return []
