import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from todos.models import Role, Todo, TodoList


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a confirmation token. 256 random bits need no salt or
    stretching: a leaked hash cannot be turned back into a working link."""
    return hashlib.sha256(token.encode()).hexdigest()


class CollaborationRequest(models.Model):
    """An invitation to a list or a todo (exactly one: `todo_list` or `todo`) with a role,
    for a user (`collaborator`) or for an address with no account yet (`email` alone; the
    email invites them to register, and the invitation attaches to whoever registers and
    logs in with that address).

    Its life: created (the outbox row: the share request does nothing else) → `queued_at`
    once the worker's relay has published its SQS message, with a fresh token whose hash is
    `token_hash` (the clear token travels only in the message and the email) →
    `email_claimed_at` while a worker sends the email → `emailed_at` → `accepted_at` on
    confirmation (the row stays, so the owner sees who accepted), or deleted on withdrawal.
    A request not emailed `SHARING_RESEND_AFTER_SECONDS` after `queued_at` is published
    again with a new token. `created` starts the `INVITATION_TTL_DAYS` clock; a resend
    restarts it.
    """

    todo = models.ForeignKey(
        Todo,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="collaboration_requests",
    )
    todo_list = models.ForeignKey(
        TodoList,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="collaboration_requests",
    )
    collaborator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="collaboration_requests",
    )
    # The address invited when nobody had an account by it (lower case); blank otherwise.
    email = models.EmailField(max_length=254, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(max_length=9, choices=Role.choices, default=Role.EDITOR)
    # Empty until the first message is published.
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(todo_list__isnull=True, todo__isnull=False)
                | Q(todo_list__isnull=False, todo__isnull=True),
                name="request_for_a_list_or_a_todo",
            ),
            models.CheckConstraint(
                condition=Q(collaborator__isnull=False) | ~Q(email=""),
                name="request_for_a_user_or_an_address",
            ),
            # One open (not accepted) invitation per person and target.
            models.UniqueConstraint(
                fields=["todo", "collaborator"],
                condition=Q(accepted_at=None, collaborator__isnull=False),
                name="one_request_per_todo_and_collaborator",
            ),
            models.UniqueConstraint(
                fields=["todo_list", "collaborator"],
                condition=Q(accepted_at=None, collaborator__isnull=False),
                name="one_request_per_list_and_collaborator",
            ),
            models.UniqueConstraint(
                fields=["todo", "email"],
                condition=Q(accepted_at=None, collaborator=None),
                name="one_request_per_todo_and_address",
            ),
            models.UniqueConstraint(
                fields=["todo_list", "email"],
                condition=Q(accepted_at=None, collaborator=None),
                name="one_request_per_list_and_address",
            ),
        ]
        indexes = [
            # The relay scans for these every second; keep it to the few not emailed yet.
            models.Index(
                fields=["created"], name="sharing_not_emailed", condition=Q(emailed_at=None)
            ),
            models.Index(fields=["email"], name="sharing_by_address", condition=~Q(email="")),
        ]

    def __str__(self) -> str:
        return f"{self.invitee} on {self.target_label}"

    @property
    def target(self) -> Todo | TodoList:
        target = self.todo if self.todo_id is not None else self.todo_list
        assert target is not None  # the check constraint
        return target

    @property
    def target_label(self) -> str:
        return f"todo #{self.todo_id}" if self.todo_id is not None else f"list #{self.todo_list_id}"

    @property
    def invitee(self) -> str:
        """Whom it is for, as the owner sees it: the user, or the address."""
        return str(self.collaborator) if self.collaborator_id is not None else self.email

    def token_matches(self, token: str) -> bool:
        """Constant-time comparison of a clear token with the stored hash."""
        return bool(self.token_hash) and secrets.compare_digest(self.token_hash, hash_token(token))
