from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from accounts.signals import remember_login

        user_logged_in.connect(remember_login, dispatch_uid="accounts.remember_login")
