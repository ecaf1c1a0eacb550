from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "tracing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from tracing.signals import note_login

        user_logged_in.connect(note_login, dispatch_uid="tracing.note_login")
