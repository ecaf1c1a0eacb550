import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from todos.models import Role, Todo


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a confirmation token. 256 random bits need no salt or
    stretching: a leaked hash cannot be turned back into a working link."""
    return hashlib.sha256(token.encode()).hexdigest()


class CollaborationRequest(models.Model):
    """An invitation to collaborate on a todo, pending until the invited user confirms it.

    Its life: created (the outbox row: the share request does nothing else) → `queued_at`
    once the worker's relay has published its SQS message, with a fresh token whose hash is
    `token_hash` (the clear token travels only in the message and the email) →
    `email_claimed_at` while a worker sends the email → `emailed_at` → deleted on
    confirmation or withdrawal. A request not emailed `SHARING_RESEND_AFTER_SECONDS` after
    `queued_at` is published again with a new token.
    """

    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="collaboration_requests")
    collaborator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collaboration_requests"
    )
    role = models.CharField(max_length=9, choices=Role.choices, default=Role.EDITOR)
    # Empty until the first message is published.
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
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
            # The relay scans for these every second; keep it to the few not emailed yet.
            models.Index(
                fields=["created"], name="sharing_not_emailed", condition=Q(emailed_at=None)
            )
        ]

    def __str__(self) -> str:
        return f"{self.collaborator} on todo #{self.todo_id}"

    def token_matches(self, token: str) -> bool:
        """Constant-time comparison of a clear token with the stored hash."""
        return bool(self.token_hash) and secrets.compare_digest(self.token_hash, hash_token(token))
