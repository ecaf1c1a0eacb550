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
    title = models.CharField(max_length=30)
    description = models.CharField(max_length=100, blank=True)
    priority = models.CharField(max_length=7, choices=Priority.choices, default=Priority.DEFAULT)
    due_date = models.DateField()
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="own_todos"
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shared_todos"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

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
