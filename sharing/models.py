import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from todos.models import Todo


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CollaborationRequest(models.Model):
    """An invitation to collaborate on a todo, pending until the invited user confirms it.

    Its life: created (in the same transaction as nothing else) → `queued_at` once the SQS
    message is out (the outbox: rows without it are sent again until SQS takes them) →
    `email_claimed_at` while a worker sends the email → `emailed_at` → deleted on
    confirmation or withdrawal.
    """

    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="collaboration_requests")
    collaborator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collaboration_requests"
    )
    token = models.CharField(max_length=64, default=new_token, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["todo", "collaborator"], name="one_request_per_todo_and_collaborator"
            )
        ]
        indexes = [
            # The outbox scan runs every worker loop; keep it to the few unsent rows.
            models.Index(fields=["created"], name="sharing_unqueued", condition=Q(queued_at=None))
        ]

    def __str__(self) -> str:
        return f"{self.collaborator} on todo #{self.todo_id}"
