from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in as allauth_logged_in
        from django.contrib.auth.signals import user_logged_in

        from accounts import checks  # noqa: F401 (registers the system check)
        from accounts.signals import remember_cognito_tokens, start_session_clock

        # Every login (Django's signal, sent while the session is being set up) starts the
        # session's clock; a Cognito login (allauth's, after it) also leaves its token.
        user_logged_in.connect(start_session_clock, dispatch_uid="accounts.session_clock")
        allauth_logged_in.connect(remember_cognito_tokens, dispatch_uid="accounts.tokens")
