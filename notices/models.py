from django.conf import settings
from django.db import models
from django.db.models import Q

from todos.events import NoticeKind
from todos.models import Todo


class Channel(models.TextChoices):
    TOAST = "toast", "Live toast"
    EMAIL = "email", "Email"
    OFF = "off", "Off"


# What someone hears who never chose: live toasts for what happens while they work, an
# email the day before a todo is due (when they are likely not looking).
DEFAULT_CHANNELS = {
    NoticeKind.SHARED: Channel.TOAST,
    NoticeKind.CHANGED: Channel.TOAST,
    NoticeKind.COMMENTED: Channel.TOAST,
    NoticeKind.COMPLETED: Channel.TOAST,
    NoticeKind.DUE_SOON: Channel.EMAIL,
}

KIND_LABELS = {
    NoticeKind.SHARED: "Shared with me",
    NoticeKind.CHANGED: "Changed",
    NoticeKind.COMMENTED: "Commented",
    NoticeKind.COMPLETED: "Completed",
    NoticeKind.DUE_SOON: "Due soon",
}


def _channel_field(kind: NoticeKind) -> models.CharField[str, str]:
    return models.CharField(
        KIND_LABELS[kind],
        max_length=5,
        choices=Channel.choices,
        default=DEFAULT_CHANNELS[kind].value,
    )


class NoticePreferences(models.Model):
    """How a user hears of each kind of notice (no row: the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    shared = _channel_field(NoticeKind.SHARED)
    changed = _channel_field(NoticeKind.CHANGED)
    commented = _channel_field(NoticeKind.COMMENTED)
    completed = _channel_field(NoticeKind.COMPLETED)
    due_soon = _channel_field(NoticeKind.DUE_SOON)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notice preferences"

    def __str__(self) -> str:
        return f"Notice preferences of {self.user}"

    def channel(self, kind: NoticeKind) -> Channel:
        return Channel(getattr(self, kind.value))


class PendingNotice(models.Model):
    """The lines of one notice email to one person about one todo.

    Its life: open (lines are appended) until `send_after` has passed and the worker's relay
    seals it (`sealed_at`) and publishes its SQS message (`queued_at`) → `claimed_at` while
    a worker sends it → `emailed_at`. A line that comes after sealing opens the next batch,
    due NOTICE_EMAIL_WINDOW_SECONDS after this one: at most one email per person and todo
    per window."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_notices"
    )
    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="pending_notices")
    lines = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField()
    sealed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "todo"], condition=Q(sealed_at=None), name="one_open_notice"
            )
        ]
        indexes = [
            models.Index(
                fields=["send_after"], name="notices_not_emailed", condition=Q(emailed_at=None)
            ),
            models.Index(fields=["user", "todo", "-send_after"], name="notices_latest"),
        ]

    def __str__(self) -> str:
        return f"Notice to {self.user} about todo #{self.todo_id}"


class DueSoonNotice(models.Model):
    """That the watchers of a todo were told it is due on `due_date`: the daily command
    tells them once per due date, however often it runs."""

    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["todo", "due_date"], name="one_due_soon_notice")
        ]

    def __str__(self) -> str:
        return f"Todo #{self.todo_id} due {self.due_date:%Y-%m-%d}"
