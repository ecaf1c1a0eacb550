from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notices import outbox, receivers
        from sharing import worker
        from todos.events import todo_announced

        todo_announced.connect(
            receivers.on_announced, dispatch_uid="notices.on_announced", weak=False
        )
        worker.register_message_kind(outbox.MESSAGE_KIND, outbox.handle_messages)
        worker.register_outbox(outbox.publish_due)
