from django.conf import settings
from django.db import models


class Priority(models.TextChoices):
    HIGH = "HIGH", "High"
    DEFAULT = "DEFAULT", "Default"
    LOW = "LOW", "Low"


class Status(models.TextChoices):
    OPEN = "OPEN", "Open"
    DONE = "DONE", "Done"


class Todo(models.Model):
    title = models.CharField(max_length=200)
    description = models.CharField(max_length=2000, blank=True)
    priority = models.CharField(max_length=7, choices=Priority.choices, default=Priority.DEFAULT)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="own_todos"
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shared_todos"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Raised by every write; an edit made on an older version is a conflict, not an overwrite.
    version = models.PositiveIntegerField(default=1)
    # Who made the latest write, for the conflict page ("changed by Duke at 14:02").
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        indexes = [models.Index(fields=["owner", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def is_owned_by(self, user: object) -> bool:
        return self.owner_id == getattr(user, "pk", None)


class Note(models.Model):
    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class Attachment(models.Model):
    """A file attached to a todo. `key` names the object in the attachments storage; it is
    random, never derived from `original_name`, which is kept only for display and download."""

    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    key = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127)
    size = models.PositiveBigIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.original_name


class Reminder(models.Model):
    """A day on which the owner and collaborators are emailed about a todo.

    `claimed_at` marks a run of send_due_reminders working on it; `sent_at` that every
    recipient has been emailed; `delivered_to` the user ids emailed so far, so that a retry
    after a partial failure does not email anyone twice."""

    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="reminders")
    remind_on = models.DateField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_to = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["remind_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["todo", "remind_on"], name="one_reminder_per_day")
        ]
        indexes = [models.Index(fields=["remind_on", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.todo} on {self.remind_on:%Y-%m-%d}"
