from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, post_save

        from notifications import sockets

        user = get_user_model()
        user_logged_out.connect(sockets.on_logged_out, dispatch_uid="notifications.logout")
        post_save.connect(sockets.on_user_saved, sender=user, dispatch_uid="notifications.save")
        post_delete.connect(
            sockets.on_user_deleted, sender=user, dispatch_uid="notifications.delete"
        )
